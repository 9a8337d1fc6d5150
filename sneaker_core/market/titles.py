"""Title vocabulary of the synthetic catalog: per-model name variants, collaborations, colourways, extras."""

from __future__ import annotations

import random

# On-model title stems; each must match its model's registry pattern and no other model's.
MODEL_STEMS: dict[str, tuple[str, ...]] = {
    "adidas-forum": ("Forum Low", "Forum 84 Low", "Forum Mid", "Forum 84 High", "Forum Low Premium"),
    "adidas-samba": ("Samba OG", "Samba ADV", "Samba Classic", "Samba Vegan", "Samba Decon"),
    "adidas-stan-smith": ("Stan Smith", "Stan Smith Primeknit", "Stan Smith Lux", "Stan Smith Recon"),
    "air-jordan-1": ("Air Jordan 1 Retro High OG", "Air Jordan 1 Low", "Air Jordan 1 Mid",
                     "Air Jordan 1 Retro High '85", "Air Jordan 1 Low SE", "Air Jordan 1 Mid SE"),
    "air-jordan-2": ("Air Jordan 2 Retro", "Air Jordan 2 Retro Low", "Air Jordan 2 Retro SP"),
    "air-jordan-3": ("Air Jordan 3 Retro", "Air Jordan 3 Retro SE", "Air Jordan 3 Retro OG", "Air Jordan 3 Retro PRM"),
    "air-jordan-4": ("Air Jordan 4 Retro", "Air Jordan 4 Retro SE", "Air Jordan 4 Retro OG", "Air Jordan 4 Retro PRM"),
    "air-jordan-5": ("Air Jordan 5 Retro", "Air Jordan 5 Retro SE", "Air Jordan 5 Retro Low"),
    "air-jordan-6": ("Air Jordan 6 Retro", "Air Jordan 6 Retro SP", "Air Jordan 6 Retro Low"),
    "air-jordan-11": ("Air Jordan 11 Retro", "Air Jordan 11 Retro Low", "Air Jordan 11 Retro Low IE"),
    "air-jordan-12": ("Air Jordan 12 Retro", "Air Jordan 12 Retro SP", "Air Jordan 12 Retro Low"),
    "dunk-low": ("Dunk Low", "Dunk Low Retro", "Dunk Low SB", "SB Dunk Low Pro", "Dunk Low Premium", "Dunk Low SE"),
    "dunk-high": ("Dunk High", "Dunk High Retro", "SB Dunk High Pro", "Dunk High Premium", "Dunk High SE"),
    "air-force-1": ("Air Force 1 Low '07", "Air Force 1 '07 LV8", "Air Force 1 Mid '07", "Air Force 1 Low Premium"),
    "air-max-1": ("Air Max 1", "Air Max 1 Premium", "Air Max 1 SP", "Air Max 1 '86 OG", "Air Max 1 SE"),
    "air-max-90": ("Air Max 90", "Air Max 90 Premium", "Air Max 90 Essential", "Air Max 90 SE", "Air Max 90 OG"),
    "new-balance-550": ("550", "550 Vintage", "550 Suede"),
    "new-balance-2002r": ("2002R", "2002R Protection Pack", "2002R GORE-TEX"),
    "new-balance-990": ("990v3 Made in USA", "990v4 Made in USA", "990v5 Made in USA", "990v6 Made in USA"),
    "yeezy-350": ("Yeezy Boost 350 V2", "Yeezy Boost 350 V2 Infant", "Yeezy Boost 350"),
    "yeezy-700": ("Yeezy Boost 700", "Yeezy Boost 700 V2", "Yeezy Boost 700 MNVN"),
    "yeezy-slides": ("Yeezy Slides", "Yeezy Slide Kids"),
    "yeezy-foam-runner": ("Yeezy Foam Runner", "Yeezy Foam RNNR", "Yeezy Foam Runner Kids"),
    "bapesta": ("Bapesta Low", "Bapesta FS-001 Low", "Bapesta Mid", "Bapesta Low M2"),
    "crocs": ("Crocs Classic Clog", "Classic Clog", "Crocs Echo Clog", "Crocs Pollex Clog"),
}

# Untracked models a search also returns (model null): GOAT's fuzzy matching.
OFF_MODEL_STEMS: dict[str, tuple[str, ...]] = {
    "air-jordan-1": ("Jordan Stadium 90", "Jordan Series ES", "Jordan Max Aura 1"),
    "air-jordan-2": ("Jordan Ace 2", "Jordan Zion 2", "Jordan Max Aura 2", "Jordan Delta 2"),
    "air-jordan-3": ("Jordan Zion 3", "Jordan Luka 3", "Jordan Super.Fly 3", "Jordan Max Aura 3"),
    "air-jordan-4": ("Jordan One Take 4", "Jordan Zion 4 Low", "Jordan Max Aura 4"),
    "air-jordan-5": ("Jordan Prime 5", "Jordan Max Aura 5", "Jordan Why Not .5"),
    "air-jordan-6": ("Jordan Max Aura 6", "Jordan 6IX Rings Low", "Jordan Luka 6"),
    "air-jordan-11": ("Jordan CP3.XI", "Jordan Zoom Separate", "Jordan 11IX Adapt"),
    "air-jordan-12": ("Jordan CP3.XII", "Jordan Jumpman Team II", "Jordan Trunner 12IX"),
    "dunk-low": ("Dunk Mid", "Dunk NG Low", "Dunk Jumbo"),
    "dunk-high": ("Dunk Hi 1985 SP", "Dunk Mid", "Dunk Jumbo Hi"),
    "air-force-1": ("Lux Force", "Air Force 270", "Air Force 2"),
    "air-max-1": ("Air Max Penny 1", "Air Max 180", "Air Max 97"),
    "air-max-90": ("Air Max 270", "Air Max 95", "Air Max 2090"),
    "adidas-stan-smith": ("Superstar", "Continental 80"),
    "new-balance-2002r": ("1906R", "9060"),
    "yeezy-350": ("Yeezy Boost 380",),
    "yeezy-slides": ("Yeezy Knit Slip-On",),
    "yeezy-foam-runner": ("Yeezy Knit Runner", "Yeezy QNTM"),
    "bapesta": ("BAPE Road Sta", "BAPE Court Sta", "BAPE Skull Sta"),
    "crocs": ("Nike Calm Mule", "Offcourt Mule"),
}

SLIDE_STEMS: tuple[str, ...] = ("Jordan Super Play Slide", "Jordan Play Slide", "Offcourt Slide",
                                "Adilette 22 Slide", "Calm Slide", "Victori One Slide")

# Apparel titles (model null); (stem, category) per search that lists apparel.
APPAREL: tuple[tuple[str, str], ...] = (
    ("BAPE 1st Camo Shark Full Zip Hoodie", "apparel"), ("BAPE College Tee", "apparel"),
    ("BAPE Ape Head Socks", "accessories"), ("BAPE Shark Tee", "apparel"), ("BAPE Camo Shorts", "apparel"),
    ("BAPE Ape Head Cap", "accessories"), ("Jordan Flight Essentials Hoodie", "apparel"),
    ("Jordan Jumpman Tee", "apparel"), ("Jordan Everyday Crew Socks", "accessories"),
)

COLLAB_RATE = 0.12  # share of on-model titles that name a collaboration
COLLABS: dict[str, tuple[str, ...]] = {
    "Nike": ("Travis Scott", "Off-White", "Union", "Fragment", "Supreme", "Stussy", "Concepts", "Patta"),
    "Air Jordan": ("Travis Scott", "Off-White", "Union", "A Ma Maniere", "Fragment", "J Balvin", "Trophy Room"),
    "Adidas": ("atmos", "END.", "Kith", "Bad Bunny", "Wales Bonner", "Sporty & Rich"),
    "New Balance": ("Aime Leon Dore", "Joe Freshgoods", "Kith", "Salehe Bembury", "JJJJound"),
    "Bapesta": ("KAWS", "Medicom Toy", "JJJJound"),
    "Crocs": ("Salehe Bembury", "Pleasures"),
    "Yeezy": (),
}

NICKNAMES: tuple[str, ...] = (
    "Bred", "Chicago", "Panda", "University Blue", "Royal", "Shadow", "Mocha", "Pine Green", "Obsidian", "Zebra",
    "Beluga", "Black Cat", "Fire Red", "Cement", "Infrared", "Concord", "Cool Grey", "Sail", "Triple White",
    "Triple Black", "Gym Red", "Court Purple", "Lucky Green", "Bone", "Oreo", "Cherry", "Pollen", "Laser Orange",
    "Midnight Navy", "Volt", "Hyper Royal", "Seafoam", "Sesame", "Wheat", "Olive", "Onyx", "Mist", "Dune",
    "Lilac", "Coral", "Pink Foam", "Photon Dust", "Smoke Grey", "Georgetown", "Kentucky", "Syracuse",
)
COLOUR_WORDS: tuple[str, ...] = (
    "White", "Black", "Red", "Blue", "Green", "Grey", "Navy", "Gum", "Cream", "Orange", "Yellow", "Purple", "Pink",
    "Brown", "Gold", "Silver", "Teal", "Tan", "Ivory", "Sand",
)

# How often a title's colourway names a material (the rest: plain leather/suede, no word).
MATERIAL_RATES: tuple[tuple[str, float], ...] = (("Canvas", 0.07), ("Patent", 0.06), ("Snakeskin", 0.04),
                                                 ("Glow", 0.03))


def colourway(rng: random.Random) -> str:
    """A quoted-colourway body: a nickname, or two or three colour words."""
    if rng.random() < 0.45:
        return rng.choice(NICKNAMES)
    k = 2 if rng.random() < 0.7 else 3
    return " ".join(rng.sample(COLOUR_WORDS, k))


def material(rng: random.Random) -> str | None:
    """A material word for the colourway, at MATERIAL_RATES, else None."""
    r = rng.random()
    for word, rate in MATERIAL_RATES:
        if r < rate:
            return word
        r -= rate
    return None


def decorate(stem: str, rng: random.Random, brand: str | None, collab_rate: float) -> str:
    """Stem + colourway in quotes (maybe led by a material), maybe a collaboration prefix and a suffix."""
    collabs = COLLABS.get(brand or "", ())
    collab = rng.choice(collabs) if collabs and rng.random() < collab_rate else None
    title = f"{collab} x {stem}" if collab else stem
    mat = material(rng)
    title += f" '{mat + ' ' if mat else ''}{colourway(rng)}'"
    r = rng.random()
    if r < 0.012:
        title += " Sample"
    elif r < 0.025:
        title += " PE"
    elif r < 0.12:
        title += f" {rng.randint(2009, 2023)}"
    return title

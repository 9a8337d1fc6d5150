from pathlib import Path

import pytest

from sneaker_core.labeller import (
    NON_SNEAKER,
    OFF_MODEL,
    OK,
    RELABELLED,
    STATUSES,
    UNKNOWN,
    Label,
    label_title,
    named_models,
)
from sneaker_core.registry import load_models
from sneaker_core.titles import split_title


def check(title, search, status, model=None):
    label = label_title(title, search)
    assert (label.status, label.model) == (status, model), label
    assert label.reason
    return label


@pytest.mark.parametrize("title, search, model", [
    ("Air Jordan 1 Retro High OG 'Chicago' 2015", "air-jordan-1", "air-jordan-1"),
    ("Wmns Air Jordan 1 Mid 'Chicago'", "Air Jordan 1", "air-jordan-1"),
    ("Jordan 1 Low 'Bred Toe'", "air jordan 1", "air-jordan-1"),
    ("AJ1 High 'Royal'", "air-jordan-1", "air-jordan-1"),
    ("Air Jordan 1 Centre Court 'White'", "air-jordan-1", "air-jordan-1"),
    ("Air Jordan 11 Retro 'Concord' 2018", "air-jordan-11", "air-jordan-11"),
    ("Air Jordan 11 CMFT Low 'Bred'", "air-jordan-11", "air-jordan-11"),
    ("Air Jordan 12 Retro 'Taxi'", "air-jordan-12", "air-jordan-12"),
    ("Air Jordan 6/11 Retro LE DMP 'Defining Moments Pack'", "air-jordan-11", "air-jordan-11"),
    ("Air Force 1 '07 'Triple White'", "air-force-1", "air-force-1"),
    ("Air Force 1Low iD", "air-force-1", "air-force-1"),
    ("AF1 Low 'Black'", "air-force-1", "air-force-1"),
    ("Air Max 1 '86 OG 'Big Bubble'", "air-max-1", "air-max-1"),
    ("Air Max '90 Winter Premium", "air-max-90", "air-max-90"),
    ("990v3 Made in USA 'Grey'", "new-balance-990", "new-balance-990"),
    ("New Balance M990GL3", "new-balance-990", "new-balance-990"),
    ("990v5 Made in USA 'Black'", "new-balance-990", "new-balance-990"),
    ("Aimé Leon Dore x 550 'White Green'", "new-balance-550", "new-balance-550"),
    ("BB550 'White'", "new-balance-550", "new-balance-550"),
    ("2002R 'Protection Pack - Rain Cloud'", "new-balance-2002r", "new-balance-2002r"),
    ("Yeezy Boost 350 V2 'Zebra'", "yeezy-350", "yeezy-350"),
    ("Yeezy Slides 'Bone'", "yeezy-slides", "yeezy-slides"),
    ("adidas Yeezy Slide 'Onyx'", "yeezy-slides", "yeezy-slides"),
    ("Yeezy Foam RNNR 'Onyx'", "yeezy-foam-runner", "yeezy-foam-runner"),
    ("BAPE STA Low 'Black'", "bapesta", "bapesta"),
    ("Bapesta FS-001 Low 'Red'", "bapesta", "bapesta"),
    ("Dunk Low SB 'Deep Royal'", "dunk-low", "dunk-low"),
    ("SB Dunk High 'Brown Paper Bag'", "dunk-high", "dunk-high"),
    ("Forum 84 Low 'Off White'", "adidas-forum", "adidas-forum"),
    ("Samba OG 'Cloud White'", "adidas-samba", "adidas-samba"),
    ("Stan Smith 'Croc Leather'", "adidas-stan-smith", "adidas-stan-smith"),
    ("Salehe Bembury x Pollex Clog 'Sasquatch'", "crocs", "crocs"),  # disabled model, still labelled
    ("Air Jordan 3 Retro 'Kobe Pack'", "air-jordan-3", "air-jordan-3"),
])
def test_ok(title, search, model):
    label = check(title, search, OK, model)
    assert label.brand == next(m.brand for m in load_models() if m.key == model)


@pytest.mark.parametrize("title, search, model", [
    ("Air Jordan 2 Retro 'Chicago' 2022", "Air Jordan 5", "air-jordan-2"),
    ("Dunk Low SB 'Deep Royal Vintage Green'", "New Balance 990", "dunk-low"),
    ("Yeezy Boost 700 'Wave Runner' 2017", "Yeezy Foam Runner", "yeezy-700"),
    ("Air Force 1 Low '07 LV8 'Black Croc'", "crocs", "air-force-1"),
    ("Dunk Low SE 'Chocolate Croc'", "crocs", "dunk-low"),
    ("Air Jordan 11 Retro 'Concord'", "air-jordan-1", "air-jordan-11"),
    ("Air Jordan 1 Mid 'Chicago'", "air-jordan-11", "air-jordan-1"),
    ("Air Force 1 Supreme Max Air '07 'Tweed'", "air-max-1", "air-force-1"),
    ("Dunk Low Premium SB 'High Life'", "dunk-high", "dunk-low"),
    ("Air Jordan 5 Retro Low 'Dunk From Above'", "dunk-low", "air-jordan-5"),
])
def test_relabelled(title, search, model):
    label = check(title, search, RELABELLED, model)
    assert model in label.reason


@pytest.mark.parametrize("title, search", [
    ("Jordan Zion 3 'Mud, Sweat and Tears'", "air-jordan-3"),
    ("Jordan Why Not Zer0.4 'Bred'", "air-jordan-4"),
    ("Air Max 95 'Neon'", "air-max-90"),
    ("Air Max 97 'Silver Bullet'", "air-max-1"),
    ("Air Max 270 'Black'", "air-max-90"),
    ("Air Max Penny 1 'All-Star'", "air-max-1"),
    ("SB Blazer Mid 'Black'", "dunk-low"),
    ("Dunk Mid 'Black'", "dunk-low"),
    ("Trainer Dunk Low 'Wieden & Kennedy'", "dunk-low"),
    ("Jordan 1 Flight 4 Premium 'Black'", "air-jordan-4"),
    ("Jordan 1 Flight 'Bred'", "air-jordan-1"),
    ("Jordan 6 Rings 'Concord'", "air-jordan-6"),
    ("Air Jordan 1 Retro V.1 'Gym Red'", "air-jordan-5"),
    ("Air Jordan 18 Retro 'Toro'", "air-jordan-1"),
    ("Air Jordan 4Lab1 'Glow'", "air-jordan-1"),
    ("Jordan SC-3 'Volt'", "air-jordan-3"),
    ("Jordan Hydro 5 Retro Slide 'Grape Ice'", "air-jordan-5"),
    ("Jordan Hydro 4 Retro 'Cool Grey'", "air-jordan-4"),
    ("Air Jordan 3 Slide 'White Cement'", "air-jordan-3"),
    ("Air Max 90 Slide 'Volt'", "air-max-90"),
    ("Yeezy 450 Slide 'Cream'", "yeezy-slides"),
    ("Yeezy Season 7 Fleece Slide 'Aqua'", "yeezy-slides"),
    ("Yeezy Knit Runner 'Sulfur'", "yeezy-foam-runner"),
    ("Sk8 Sta #1 'Navy'", "bapesta"),
    ("2002 'Bone'", "new-balance-2002r"),
    ("Air Jordan 550", "new-balance-550"),
    ("Old Skool VLT LX 'Croc Skin - Flame'", "crocs"),
    ("Air Force 2 Low SB 'Midnight Green'", "air-force-1"),
])
def test_off_model(title, search):
    check(title, search, OFF_MODEL)


@pytest.mark.parametrize("title, search", [
    ("BAPE Sta Line Socks 'Yellow'", "bapesta"),
    ("BAPE Sta Pattern College Tee 'White'", "bapesta"),
    ("BAPE Sta Camo Shark Zip Hoodie 'Multi'", "bapesta"),
    ("BAPE Sta Camo Skateboard 'Multicolor'", "bapesta"),
    ("BAPE Bapesta New Era 9FIFTY Cap 'Red'", "bapesta"),
    ("BAPE Sta Camo Multi iPhone 13 Pro Case 'White'", "bapesta"),
    ("Cactus Jack by Travis Scott x Air Jordan MJ 2 T-Shirt 'Black'", "air-jordan-2"),
    ("Cactus Jack by Travis Scott x Virgil Abloh By A Thread T-Shirt (Air Jordan 4 Version) 'White'",
     "air-jordan-4"),
    ("Air Jordan Essentials Crew Socks (3 Pack) 'White/Black'", "air-jordan-3"),
    ("Off-White Spray Marker Slim Hoodie 'Samba/Black'", "adidas-samba"),
    ("Air Jordan x Union NRG AJ Flight Pants 'Black'", "air-jordan-2"),
])
def test_non_sneaker(title, search):
    check(title, search, NON_SNEAKER)


@pytest.mark.parametrize("title, search, status, model", [
    # apparel words inside the colourway or in a collaborator name do not make apparel
    ("Air Force 1 Mid '07 'Black Tee'", "air-force-1", OK, "air-force-1"),
    ("Air Force 1 '07 LV8 'Varsity Jacket'", "air-force-1", OK, "air-force-1"),
    ("Supreme x Comme des Garçons SHIRT x Air Force 1 Low 'Black'", "air-force-1", OK, "air-force-1"),
    ("April Skateboards x Dunk Low SB 'Turbo Green'", "dunk-low", OK, "dunk-low"),
    ("Stan Smith Leather Sock 'White'", "adidas-stan-smith", OK, "adidas-stan-smith"),  # a shoe
    ("Louis Vuitton x Air Force 1 Low 'Monogram Damier' Pilot Case", "air-force-1", OK, "air-force-1"),
    # a model name in the colourway names nothing
    ("Air Force 1 Premium 'Air Max 97'", "air-max-1", RELABELLED, "air-force-1"),
    # HTML entities, curly quotes, emoji, full-width text
    ("Air Jordan 1 Retro High OG &#39;Chicago&#39;", "air-jordan-1", OK, "air-jordan-1"),
    ("Air Jordan 3 Retro &amp; Air Max 1 &#8216;Safari Pack&#8217;", "air-max-1", OK, "air-max-1"),
    ("🔥 Nike Dunk Low “Panda” 🐼", "dunk-low", OK, "dunk-low"),
    ("Ａｉｒ Ｊｏｒｄａｎ ４ Retro", "air-jordan-4", OK, "air-jordan-4"),
])
def test_tricky(title, search, status, model):
    check(title, search, status, model)


def test_empty_and_missing_titles_have_named_reasons():
    for empty in ("", "   ", None, float("nan"), "🔥🔥"):
        label = label_title(empty, "air-jordan-1")
        assert label == Label(None, None, OFF_MODEL, "empty title: cannot confirm air-jordan-1")
    assert label_title("", None).status == UNKNOWN


def test_very_long_titles_are_handled():
    long = "Air Jordan 1 Retro High OG " + "'Chicago' " + "dunk low hi " * 170  # ~2,000 characters
    assert len(long) > 2000
    assert label_title(long, "air-jordan-1").status == OK
    junk = ("x" * 1000 + " ") * 2
    assert label_title(junk, "air-jordan-1").status == OFF_MODEL


def test_without_search_model():
    assert label_title("Dunk Low 'Panda'", None) == Label("dunk-low", "Nike", OK,
                                                          "title names dunk-low; no search model given")
    assert label_title("Jordan Zion 3", None).status == UNKNOWN
    assert label_title("Jordan Zion 3", "").status == UNKNOWN
    assert label_title("BAPE Sta Socks 'Red'", None).status == NON_SNEAKER


def test_unknown_search_model_names_it_and_the_known_keys():
    with pytest.raises(ValueError) as err:
        label_title("Dunk Low", "air-jordan-99")
    message = str(err.value)
    assert "air-jordan-99" in message and "air-jordan-1" in message and "dunk-low" in message


def test_statuses_and_brand_come_from_the_registry(tmp_path: Path):
    models_file = tmp_path / "models.yaml"
    models_file.write_text(
        "models:\n"
        "  - {key: dunk-low, name: Dunk Low, brand: Swoosh, query: dunk low, patterns: ['\\bdunk low\\b']}\n"
        "  - {key: samba, name: Samba, brand: Three Stripes, query: samba, patterns: ['\\bsamba\\b']}\n"
    )
    models = load_models(models_file)
    assert label_title("Dunk Low 'Panda'", "dunk-low", models) == Label(
        "dunk-low", "Swoosh", OK, "title names dunk-low")
    assert label_title("Samba OG", "Dunk Low", models) == Label(
        "samba", "Three Stripes", RELABELLED, "title names samba, not dunk-low")
    with pytest.raises(ValueError, match="air-jordan-1"):
        label_title("Samba OG", "air-jordan-1", models)
    assert set(STATUSES) == {OK, RELABELLED, OFF_MODEL, NON_SNEAKER, UNKNOWN}


def test_named_models_in_order_of_mention():
    parts = split_title("Atmos x Air Jordan 3 Retro & Air Max 1 'Safari Pack'")
    assert [m.key for m in named_models(parts, load_models())] == ["air-jordan-3", "air-max-1"]

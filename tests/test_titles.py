import pytest

from sneaker_core.titles import TitleParts, group_key, normalise_title, split_title, title_attributes


@pytest.mark.parametrize("raw, norm", [
    ("Air Jordan 1 Retro High OG &#39;Chicago&#39;", "air jordan 1 retro high og 'chicago'"),
    ("Dunk Low &amp;amp; More", "dunk low & more"),  # double-escaped HTML
    ("M&M’s x Forum '84 Low ‘Peanut’", "m&m's x forum '84 low 'peanut'"),
    ("  Stan Smith Mid  'Darth Vader'  ", "stan smith mid 'darth vader'"),
    ("Pokémon x Classic Sandal", "pokémon x classic sandal"),
    ("Ｎｉｋｅ Dunk\u200b Low", "nike dunk low"),  # NFKC full-width, zero-width space
    ("Dunk Low 🐼 “Panda” — 2021", 'dunk low "panda" - 2021'),
    ("Half Cab Pro '92 ´Croc´", "half cab pro '92 'croc'"),
    (None, ""),
    (float("nan"), ""),
    ("", ""),
])
def test_normalise_title(raw, norm):
    assert normalise_title(raw) == norm


@pytest.mark.parametrize("title, parts", [
    ("Travis Scott x Air Jordan 4 Retro 'Cactus Jack' 2018 Sample",
     TitleParts("travis scott x air jordan 4 retro", "cactus jack", "2018 sample")),
    ("Air Force 1 Supreme Max Air '07 'Tweed'", TitleParts("air force 1 supreme max air '07", "tweed", "")),
    ("Air Force 1 '07 LV8 '82 - Blue Chill'", TitleParts("air force 1 '07 lv8", "82 - blue chill", "")),
    ("Raf Simons x Samba Stan 'Trompe L'oeil'", TitleParts("raf simons x samba stan", "trompe l'oeil", "")),
    ("Trix x Classic Clog Kids 'Rise N’ Style'", TitleParts("trix x classic clog kids", "rise n' style", "")),
    ("Air Griffey Max 1 'Midnight Navy;", TitleParts("air griffey max 1", "midnight navy;", "")),
    ("Air Force 1 Low '07", TitleParts("air force 1 low '07", None, "")),
    ("Dunk Low “Panda” 2021", TitleParts("dunk low", "panda", "2021")),
    ("Air Jordan 2 Retro '\"H\" Wings'", TitleParts("air jordan 2 retro", '"h" wings', "")),
    ("Bapesta", TitleParts("bapesta", None, "")),
])
def test_split_title(title, parts):
    assert split_title(title) == parts


def test_parts_product_and_outside():
    parts = split_title("Supreme x Comme des Garçons SHIRT x Air Force 1 Low 'Black' Sample")
    assert parts.product == "air force 1 low"
    assert parts.outside == "supreme x comme des garçons shirt x air force 1 low sample"
    assert split_title("Jordan Melo M12 X 'White'").product == "jordan melo m12 x"


def test_group_key_merges_relistings_samples_and_sizes():
    base = group_key("Air Jordan 1 Retro High OG 'Chicago'")
    assert base == "air jordan 1 retro high og 'chicago'"
    for variant in ("Air Jordan 1 Retro High OG 'Chicago' 2015", "Air Jordan 1 Retro High OG 'Chicago' 1985",
                    "Wmns Air Jordan 1 Retro High OG 'Chicago'", "Air Jordan 1 Retro High OG GS 'Chicago'",
                    "Air Jordan 1 Retro High OG 'Chicago' Sample", "Air Jordan 1 Retro High OG 'Chicago' Special Box",
                    "AIR JORDAN 1 RETRO HIGH OG ‘Chicago’ 2015 Sample"):
        assert group_key(variant) == base, variant
    assert group_key("Air Jordan 17 Low 'Mike Bibby' PE") == group_key("Air Jordan 17 Low 'Mike Bibby'")
    assert group_key("Air Jordan 1 Retro High OG 'Bred'") != base  # another colourway, another product
    assert group_key("Air Force 1 '07 'White'") != group_key("Air Force 1 'White'")  # '07 is a model name


def test_title_attributes():
    attrs = title_attributes("Travis Scott x Air Jordan 1 Retro High OG SB 'Black Red White' 2019 Sample")
    assert attrs == {
        "collaboration": True, "collaborator": "travis scott", "year": 2019,
        "colourway": "black red white", "colours": ["black", "red", "white"],
        "retro": True, "og": True, "sb": True, "sample": True, "pe": False, "low": False, "mid": False,
        "high": True,
    }
    plain = title_attributes("Dunk Low 'Panda'")
    assert plain["collaboration"] is False and plain["collaborator"] is None
    assert plain["year"] is None and plain["low"] and not plain["high"]
    assert plain["colours"] == []
    assert title_attributes("Air Jordan 17 Low 'Mike Bibby' PE")["pe"] is True
    assert title_attributes("Jordan Winterized 6 Rings 'Black' 2010")["year"] == 2010
    assert title_attributes("Air Force 1 Mid '07 'Black Tee'")["mid"] is True
    assert title_attributes("")["colourway"] is None

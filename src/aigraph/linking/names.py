"""Normalising organisation names for matching, in several languages.

``normalise("Fraunhofer-Gesellschaft zur Förderung der angewandten Forschung e. V.")`` and
``normalise("FRAUNHOFER GESELLSCHAFT ZUR FOERDERUNG DER ANGEWANDTEN FORSCHUNG EV")`` give the
same tokens: case and accents folded (German umlauts also as ``ae``/``oe``/``ue``), punctuation
dropped, legal forms (e.V., GmbH, SA, SAS, SE, association, ...) and function words removed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: legal forms and organisation-kind words that say nothing about which organisation it is
LEGAL_FORMS = frozenset(
    [
        "ev",
        "e",
        "v",
        "eingetragener",
        "verein",
        "gmbh",
        "ggmbh",
        "mbh",
        "ag",
        "kg",
        "kgaa",
        "ug",
        "gbr",
        "ohg",
        "sa",
        "sas",
        "sasu",
        "sarl",
        "eurl",
        "sca",
        "scs",
        "snc",
        "se",
        "spa",
        "srl",
        "sl",
        "slu",
        "sll",
        "bv",
        "nv",
        "vzw",
        "asbl",
        "aisbl",
        "cvba",
        "ltd",
        "limited",
        "plc",
        "llp",
        "llc",
        "inc",
        "corp",
        "corporation",
        "co",
        "oy",
        "oyj",
        "ab",
        "as",
        "aps",
        "a",
        "s",
        "sp",
        "zoo",
        "z",
        "o",
        "o",
        "doo",
        "d",
        "o",
        "o",
        "kft",
        "zrt",
        "nyrt",
        "sro",
        "s",
        "r",
        "o",
        "as",
        "a",
        "s",
        "ps",
        "ehf",
        "ky",
        "association",
        "assoc",
        "verein",
        "stiftung",
        "fondation",
        "foundation",
        "fundacion",
        "fondazione",
        "stichting",
        "onlus",
        "ev",
    ]
)
#: function words in the EU languages most CORDIS names use
STOPWORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "for",
        "in",
        "on",
        "at",
        "a",
        "an",
        "de",
        "du",
        "des",
        "la",
        "le",
        "les",
        "l",
        "d",
        "et",
        "pour",
        "en",
        "au",
        "aux",
        "sur",
        "der",
        "die",
        "das",
        "den",
        "dem",
        "des",
        "fur",
        "fuer",
        "zur",
        "zum",
        "und",
        "von",
        "im",
        "am",
        "fuer",
        "e",
        "ed",
        "di",
        "del",
        "della",
        "dello",
        "degli",
        "delle",
        "da",
        "y",
        "el",
        "los",
        "las",
        "van",
        "het",
        "voor",
        "en",
        "og",
        "i",
        "och",
    ]
)
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "AE", "Ö": "OE", "Ü": "UE",
                          "ß": "ss"})  # fmt: skip


def fold(text: str) -> str:
    """Lower case, accents removed, punctuation turned into spaces."""
    text = text.replace("ß", "ss").replace("&", " and ").replace("'", " ").replace("’", " ")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


def _strip_dotted_forms(text: str) -> str:
    # "e. V." / "e.V." / "S.A." / "S.p.A." -> tokens of single letters, merged below
    return re.sub(r"\b([A-Za-z])\.\s?(?=[A-Za-z]\.)", r"\1", text)


@lru_cache(maxsize=65536)
def tokens(name: str) -> tuple[str, ...]:
    """The significant tokens of a name, in order."""
    folded = fold(_strip_dotted_forms(name))
    out = [t for t in folded.split() if t not in STOPWORDS]
    # drop legal forms, but never reduce a name to nothing
    kept = [t for t in out if t not in LEGAL_FORMS]
    return tuple(kept or out)


def variants(name: str) -> set[tuple[str, ...]]:
    """Token sequences for a name: accents stripped, and German umlauts transliterated."""
    out = {tokens(name)}
    if re.search("[äöüÄÖÜ]", name):
        out.add(tokens(name.translate(_UMLAUTS)))
    return {v for v in out if v}


def normalise(name: str) -> str:
    return " ".join(tokens(name))


def is_acronym(label: str) -> bool:
    """``"CNRS"``, ``"KIT"``, ``"FhG"``: one short token with capitals."""
    s = label.strip()
    return 2 <= len(s) <= 10 and " " not in s and sum(c.isupper() for c in s) >= 2

"""Venue rules: split a venue line and resolve it against the registry (pipelines/data).

A written venue is looked up at three levels, each a table built from every registry
spelling (acronym, full name, aliases) by the same function, so a spelling and a written
venue meet only when they normalize alike:

1. the spelling as written, case- and accent-folded;
2. without what decorates a name: a leading "The", "Proceedings of", a year or an ordinal
   ("2019", "35th"), a publisher prefix ("IEEE", "ACM", "IEEE/CVF"), an acronym in
   parentheses that names the same venue, "&" written "and";
3. its content words only ("Conference", "on", "IEEE", "SIGKDD", ... dropped), for the
   name of an event; the registry's names are also keyed without "International" and
   without their own acronym, and a written name without an event word meets this level
   when it has at least ``LOOSE_WORDS`` content words ("Web Search and Data Mining"). An
   event's name written without an event word ("Supercomputing", SC) is keyed here too. A
   key of scope words alone ("international", "asia-pacific", "papers") names no venue and
   is never stored or matched: what "International Middleware Conference" leaves without
   its acronym must not name Middleware for every "International Conference on ..." cut
   short. Where a society's name is all that is left besides them ("ACM SIGGRAPH Annual
   Conference in Asia"), the society's name is kept as content.

A key that two venues share at a level is dropped from that level: an ambiguous spelling
resolves to nothing rather than to a guess. A DBLP volume ("ACL (1)") and a main track
(", General Track", "(Poster)") do not hide a venue; other tracks ("(Findings)",
"(Workshop)", "Workshop" as the kind) resolve to the track's own venue, or stay unknown.
A joint venue written "A/B" or "A-B" ("AAAI/IAAI", "HLT-NAACL") is the one registry venue
its parts name, when exactly one does; a line in parts between dashes is the venue every
part names.

Lines as other sources write them:

- OpenReview's "ICLR 2024 poster", "EMNLP 2023 Findings", "NeurIPS 2023 Workshop on ...":
  a venue, a year and a label, which is how the paper was shown (the venue) or a track;
- DBLP's proceedings titles: a part "ACRONYM YEAR" ("CAV 2016", "ASPLOS '20") whose acronym
  names the venue another part names, or a name followed only by where and when it was
  held ("..., San Diego, California, USA, February 28 - March 3, 2000");
- abbreviated titles ("J. Parallel Distrib. Comput.", ISO 4's way): the one venue whose name
  (without an event word) has as many words, each beginning with the written one;
- spelled ordinals ("The Thirty-Seventh"), "Computer-Aided" for "Computer Aided", societies
  joined ("IEEE/ACM/IFIP", "SIGMOD-SIGACT-SIGAI"), a year glued on ("ICML'23").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import NotRequired, TypedDict

from crawler.pages.grammar import split_venue_line
from pipelines.pickling import quick_pickle
from pipelines.text import fold, normalize_space

__all__ = ["Venue", "VenueRegistry", "default_registry", "split_venue_line", "venue_keys"]


class VenueEntry(TypedDict):
    """One registry record in ``pipelines/data/venues.json``."""

    acronym: str
    name: str
    type: str
    aliases: list[str]
    tracks: NotRequired[dict[str, str]]
    # A journal whose title is also an event's name ("Parallel Computing", "Pattern
    # Recognition"): an event's line names it only as a journal is written.
    also_event: NotRequired[bool]
    # An acronym that also names a society or another event (ISCA, the International Speech
    # Communication Association; GI, the Gesellschaft für Informatik; ESA, the European Space
    # Agency; ISC High Performance): its "ISCA Workshop" is not the venue's.
    acronym_shared: NotRequired[bool]


@quick_pickle
@dataclass(frozen=True, slots=True)
class Venue:
    """A venue as stored: ``known`` is False for a name the registry does not hold."""

    acronym: str
    name: str | None
    type: str
    known: bool


# A DBLP volume or a main track in parentheses: "ACL (1)", "ICLR (Poster)", "(Oral)".
VOLUME_RE = re.compile(
    r"\s*\((?:\d+|[ivx]+|oral|spotlight|main|main conference|long papers?"
    r"|short papers?|long and short papers|volume \d+|vol\. ?\d+)\)\s*$",
    re.I,
)
# A poster is a paper of the main conference at the venues that show their papers as posters
# (OpenReview's machine-learning conferences: "ICLR (Poster)", "ICLR 2024 poster"); elsewhere
# posters are a volume of their own ("SIGGRAPH 2019 Posters", "KDD (Posters)").
POSTER_RE = re.compile(r"\s*\(posters?\)\s*$", re.I)
POSTERS_ARE_PAPERS = frozenset(
    (
        *("ICLR", "NeurIPS", "ICML", "COLM", "CoRL", "AISTATS", "UAI", "ACML", "CoLLAs", "LoG"),
        *("NeurIPS Datasets and Benchmarks", "CVPR", "ICCV", "ECCV", "WACV", "BMVC"),
        *("Interspeech", "ICASSP"),
    )
)
MAIN_TRACK_RE = re.compile(
    r"\s*(?:,\s*|\(|\s)(?:general|main|research|technical|conference|full papers?"
    r"|conference papers?) (?:track|papers)\)?\s*$",
    re.I,
)
# Tracks that are venues of their own: never the main conference.
TRACK_WORDS = {
    "findings": "Findings",
    "workshop": "Workshops",
    "workshops": "Workshops",
    "workshop track": "Workshops",
    "workshop papers": "Workshops",
}
TRACK_RE = re.compile(
    r"^(?P<venue>.+?)\s*(?:\((?P<paren>[^()]{3,40})\)|,\s*(?P<comma>[^,()]{3,40}))\s*$"
)
# "Findings of the Association for Computational Linguistics: NAACL 2022", "Findings of the
# ACL-EMNLP": the association's name, then the venue.
TRACK_PREFIX_RE = re.compile(
    r"^(?P<track>findings) of (?:the )?(?:(?:acl|association for computational linguistics)"
    r"\s*[:\-–]\s*(?=\S))?(?P<venue>.+)$",
    re.I,
)
JOINT_SPLIT_RE = re.compile(r"\s*[/\-]\s*")
JOINT_RE = re.compile(r"^[\w&+.]+(?:\s*[/\-]\s*[\w&+.]+)+$")
# "Name (ACRONYM)", "Name 35 (ACRONYM 2022)": the acronym must name the same venue.
# A word in capitals that may be a venue's acronym ("CHI", "ICML", "3DV").
ACRONYM_WORD_RE = re.compile(r"\b[0-9]?[A-Z][A-Z0-9]+\b")
PAREN_ACRONYM_RE = re.compile(
    r"^(?P<venue>.+?)\s*\((?P<acronym>[^()\s]{2,20})(?:\s*(?:\d{4}|'\d\d|\d\d))?\)$"
)
# DBLP's proceedings title: "Computer Aided Verification - 28th International Conference, CAV
# 2016, Toronto, ON, Canada, July 17-23, 2016, Proceedings, Part I": a part that is an
# acronym and a year, after the name it must agree with.
ACRONYM_YEAR_RE = re.compile(
    r"\(?(?P<acronym>[^\W\d][\w&+./\-]*?(?: [^\W\d][\w&+./\-]*)?)\s*(?:\d{4}|'\d\d|-\d\d)\)?"
)
# Parts end at a comma, a colon or a full stop (a year's, or a word's of three letters or
# more: never an abbreviation's, "Proc. ").
PART_SPLIT_RE = re.compile(r"\s*[,:]\s+|\s*,\s*|(?<=[^\W\d_]{3})\.\s+|(?<=\d{4})\.\s+")
# What follows a proceedings title's name says where and when it was held ("San Diego,
# California, USA, February 28 - March 3, 2000"), never another event, a track or a volume
# of its own (demos, posters, student research, tutorials, adjunct and companion volumes,
# industry tracks, doctoral consortia): a part with one of these words does more.
NOT_PLACE_RE = re.compile(
    r"\b(?:conference|symposium|meeting|congress|colloquium|workshops?|track|co-?located"
    r"|conjunction|satellite|companion|joint|held|findings|demos?|demonstrations?"
    r"|posters?|student|students|tutorials?|adjunct|abstracts?|doctoral|industry|industrial"
    r"|extended|late-breaking|challenge|competition|consortium|volume \d+:)\b",
    re.I,
)
SPELLED_ORDINAL = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[- ]?)?"
    r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)"
    r"|tenth|eleventh|twelfth|(?:thir|four|fif|six|seven|eigh|nine)teenth"
    r"|(?:twent|thirt|fort|fift|sixt|sevent|eight|ninet)ieth"
)
# Parts of a proceedings title that say which main volume it is: "Proceedings", "Part II",
# "Volume 1", "Long Papers", "28th International Conference", "Selected Papers".
MAIN_VOLUME_RE = re.compile(
    r"(?:proceedings|(?:revised )?selected papers|(?:long|short|full|research) papers"
    r"|long and short papers|part [ivx\d]+|vol(?:ume|\.)? ?[ivx\d]+|main (?:conference|track)"
    r"|(?:general|research|technical|conference|main) track(?: proceedings)?"
    r"|proceedings,? part [ivx\d]+"
    rf"|(?:the )?(?:\d+(?:st|nd|rd|th)|{SPELLED_ORDINAL})(?: [\w-]+){{0,3}}"
    r" (?:conference|symposium|colloquium|congress|meeting)(?: of (?:the )?[\w-]+)?"
    r"|(?:held as )?part of (?:the )?[\w -]+?(?: \d{4})?|papers presented at the \w+"
    r"|human language technologies"  # NAACL's and ACL's joint HLT, as a subtitle
    r"|main volume|volume-[ivx\d]+|shared task|project notes)",
    re.I,
)
# "Saarbrücken, Germany (Virtual Conference)": held online, as a place.
VIRTUAL_RE = re.compile(r"\s*\((?:virtual|online)(?: conference| event)?\)", re.I)
# Events a registry venue is held jointly with, named beside it ("AAAI/IAAI", "HLT-NAACL",
# "EMNLP-IJCNLP", "ACL/IJCNLP", "EMNLP-CoNLL"), which the registry does not hold.
JOINT_PARTNERS = frozenset(
    ("iaai", "eaai", "hlt", "ijcnlp", "conll", "eccb", "icslp", "eurospeech", "splash", "etaps")
)
# An edition's number beside the acronym ("MICRO-52", "CoNLL-2003", "CoNLL-X").
EDITION_RE = re.compile(r"\d+|[ivx]{1,5}", re.I)
# A proceedings title in more parts than this is no title: it is not read part by part.
MAX_TITLE_PARTS = 16
MAX_PLACE_WORDS = 6
YEAR_RE = re.compile(r"\b(?:19|20)\d\d\b")
MONTH_RE = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d", re.I
)
# OpenReview's venue field: "ICLR 2024 poster", "NeurIPS 2023 Workshop on ...", "EMNLP 2023
# Findings": a venue, a year, and what the paper was there.
LABELLED_RE = re.compile(r"^(?P<venue>.+?)\s+(?:\d{4}|'\d\d)\s+(?P<label>[^\d].*)$")
PRESENTATION_RE = re.compile(
    r"(?:oral|spotlight|notable(?: top \d+%)?|main"
    r"|main track|main conference|conference|conference track|accept|accepted)"
)
INNER_ACRONYM_RE = re.compile(r"\s*\((?P<acronym>[^()\s]{2,20})\)\s*(?=\S)")
VOLUME_NUMBER_RE = re.compile(r"\s+\d{1,3}$")
# A dash between parts: spaced, or BibTeX's "--" between words ("Computer Vision--ECCV 2022");
# never a range's ("October 23--27").
DASH_RE = re.compile(r"\s+(?:-{1,3}|[–—])\s+|(?<=[^\W\d_])--(?=[^\W\d_])")
# Decoration around a venue's name (level 2); applied to folded text.
LEADING_RE = re.compile(
    r"^(?:(?:the|proceedings of|proceeding of|proceedings|proc\.?[ /]of|proc\.|conference record of"
    r"|in|of|springer|elsevier|wiley"
    r"|annual|\d{4}|'\d\d"
    rf"|\d+(?:st|nd|rd|th)|{SPELLED_ORDINAL}"
    r"|ieee/cvf|ieee/acm|acm/ieee|ieee/rsj|ieee|acm|usenix|isoc|ifip)[\s,:]+)+"
)
# What a list writes after a venue's name, looked past when the line names nothing as it is
# written: its former name ("(was International Conference on Multimodal Interfaces)", CORE's
# way), a record's format ("(Print)"), a journal's subtitle ("Neural networks : the official
# journal of the International Neural Network Society"), "journal" ("TOSEM journal").
QUALIFIER_RE = re.compile(
    r"\s*\((?:was|previously|formerly)\b[^()]*\)$|\s*\((?:print|online|electronic)\)$"
    r"|\s+:\s+the official journal of\b.*$|(?<=\w)\s+journal$",
    re.I,
)
# "ICML2019", "SANER23", "CHI14", "ICML 17": an acronym with its edition's year, glued or not.
EDITION_YEAR_RE = re.compile(
    r"^(?P<acronym>[A-Za-z][A-Za-z&+]*?)\s?'?(?P<year>(?:19|20)\d\d|\d\d)$"
)
# A workshop's line names its host conference: "CVPR Workshops", "Proc. of CVPR - Workshops",
# "ICLR Workshop 2018", "NIPS Workshop on Adversarial Training", "NAACL SpLU-RoboNLP
# Workshop 2019", "Mechanistic Interpretability Workshop at ICML 2026", "PLAS@CCS 2018",
# "CVPRW 2019".
WORKSHOP_WORD_RE = re.compile(r"\bworkshops?\b", re.I)
WORKSHOP_HOST_RE = re.compile(r"(?:\s+at\s+|@)(?P<host>[^@\s,][^@,]*?)(?:,.*)?$", re.I)
# "15th International Workshop", "1st Workshop": an edition of an event that is (or was) a
# workshop, or a workshop named after the venue ("MICCAI 2020, 1st International Workshop"):
# no host's workshops.
EDITION_WORKSHOP_RE = re.compile(
    rf"\b(?:\d+(?:st|nd|rd|th)|{SPELLED_ORDINAL})(?:\s+[\w-]+){{0,3}}\s+workshop\b", re.I
)
# What may follow the host and the word: a year, the workshop's title after a colon, "on ...".
AFTER_WORKSHOP_RE = re.compile(
    r"^(?:\s*(?:\d{4}|'\d\d))?(?:[,.]\s*(?:\d{4}|proceedings)\.?)*\s*(?:[:(].*|\s+on\s.*)?$", re.I
)
# "CVPRW", "ICCVW", "ICMEW", "PERCOMW'06": a conference's acronym and W for its workshops.
# Only for an acronym of four letters at least: "IMW", "GIW", "MMW", "SPW" are workshops'
# own names (the Memory Workshop, Genome Informatics, Multimodal Wordnets, Security Protocols).
WORKSHOPS_ACRONYM_RE = re.compile(r"\b(?P<acronym>[A-Z][A-Za-z]{3,})W(?:['’]?\d\d|\d{4})?\b")
# The first word of a line, an acronym in two capitals at least ("NeurIPS", "CHI14").
FIRST_ACRONYM_RE = re.compile(r"^(?P<word>(?=\S*[A-Z]\S*[A-Z])[A-Za-z][\w&+'’-]*)")
# A dash joining two words of a name, written as an en dash or a hyphen of Unicode's.
INNER_DASH_RE = re.compile(r"(?<=[^\W\d_])[‐‑–](?=[^\W\d_])")
# "ICML'23", "NeurIPS’22": a short year glued to the name.
GLUED_YEAR_RE = re.compile(r"(?<=[^\W\d_])['’](\d\d)\b")
TRAILING_RE = re.compile(r"(?:[\s,:]+(?:\d{4}|'\d\d|proceedings))+$")
PUNCT_RE = re.compile(r"[\s,:;.]+|(?<=[^\W\d_])-(?=[^\W\d_])")
GENERIC_WORDS = frozenset(
    (
        *("the", "of", "on", "in", "for", "and", "proceedings", "proc", "conference", "conf"),
        *("symposium", "symp", "annual", "meeting", "ieee", "acm", "ieee/cvf", "ieee/acm"),
        *("conferences", "symposia", "meetings"),
        *("acm/ieee", "usenix"),
    )
)
# A publisher or society word ("IEEE/RSJ", "ACM SIGKDD", "SIGPLAN"): never a venue's content.
# Societies joined by slashes or hyphens count as one ("IEEE/ACM/IFIP", the SIGs of PODS'
# "SIGMOD-SIGACT-SIGAI"); EATCS and IARCS hold ICALP and FSTTCS.
# The special interest groups of ACM and ACL by name: a pattern "sig..." took "Signal" for one
# ("International Conference on Image and Signal Processing" read as ICIP).
SPECIAL_INTEREST_GROUPS = (
    "sigact|sigada|sigai|sigapp|sigarch|sigart|sigbed|sigbio|sigcas|sigchi|sigcomm|sigcse|sigda"
    "|sigdat|sigdial|sigdoc|sigecom|sigenergy|sigevo|siggen|siggraph|sighan|sighpc|sigir|sigite"
    "|sighum|sigkdd|siglex|siglog|sigmedia|sigmetrics|sigmicro|sigmis|sigmm|sigmobile|sigmod"
    "|sigmorphon|signll|sigops|sigparse|sigplan|sigsac|sigsam|sigsem|sigsim|sigsoft|sigspatial"
    "|sigtyp|siguccs|sigweb"
)
# Societies that sponsor events jointly with IEEE or ACM ("IEEE/RSJ", "IEEE/WIC/ACM",
# "IEEE/IAPR"), and any short acronym joined to either ("IEEE/OES", a source's "IEEE/RJS");
# a venue's own name beside them is no society ("Eurographics/IEEE Symposium on
# Visualization" is EuroVis, not IEEE VIS).
_SOCIETY = (
    rf"(?:ieee|acm|ifip|usenix|isoc|cvf|rsj|eatcs|iarcs|wic|iapr|acis|ieice|ipsj"
    rf"|{SPECIAL_INTEREST_GROUPS})"
)
SOCIETY_WORD_RE = re.compile(
    rf"(?:ieee|acm)/[a-z]{{2,5}}|[a-z]{{2,5}}/(?:ieee|acm)|{_SOCIETY}(?:[/\-]{_SOCIETY})*"
)
# Words that say where or how widely an event is held, or which part of it a line is, but
# never which event: a level-3 key of these words alone ("international", what is left of
# "International Middleware Conference" without its acronym; "asia-pacific"; "papers") would
# name whichever venue it came from for every "International Conference on ..." cut short.
SCOPE_WORDS = frozenset(
    (
        *("international", "national", "joint", "world", "global", "annual", "biennial"),
        *("asia", "asian", "asia-pacific", "pacific", "europe", "european", "america"),
        *("american", "americas", "african", "nordic", "north", "south", "east", "west"),
        *("papers", "paper", "companion", "track", "tracks", "volume", "part", "workshop"),
        *("workshops", "…", "...", "et", "al"),
    )
)
# Level 3 only joins names of events: a journal's title has no word to drop.
EVENT_WORD_RE = re.compile(r"\b(?:conferences?|symposium|symposia|meetings?|congress|colloquium)\b")
# A name written without its event word ("Web Search and Data Mining", as Semantic Scholar
# writes WSDM) meets an event's content words when it has at least this many of its own: a
# journal's title ("Computational Linguistics") is shorter, or keeps "journal",
# "transactions" or "letters" among its words.
LOOSE_WORDS = 3


def _content(plain: str, drop: frozenset[str] = frozenset()) -> str:
    words = [w for w in plain.split() if w not in GENERIC_WORDS and w not in drop]
    content = " ".join(w for w in words if _is_content(w))
    if not _names_something(content):
        # Only scope words left without the society's: the society is the name's content
        # ("ACM SIGGRAPH Annual Conference in Asia": "siggraph asia", not "asia").
        return " ".join(w for w in words if not _is_number(w))
    return content


def _is_content(word: str) -> bool:
    return not _is_number(word) and not SOCIETY_WORD_RE.fullmatch(word)


def _is_number(word: str) -> bool:
    return word.isdigit() or (word[:1] in "'’" and word[1:].isdigit())


def _stem(word: str) -> str:
    """A word without a plural's "s" ("Systems" and "System" alike)."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


@lru_cache(maxsize=1 << 14)
def venue_keys(written: str) -> tuple[str, str, str]:
    """The three lookup keys of a venue spelling: folded, undecorated, content words (the
    last only for the name of an event)."""
    folded = GLUED_YEAR_RE.sub(r" '\1", fold(written).replace("&", " and ").replace("\\", "/"))
    if not folded.isascii():
        folded = INNER_DASH_RE.sub("-", folded)  # "Human–Computer" is "Human-Computer"
    folded = " ".join(folded.split())
    plain = TRAILING_RE.sub("", LEADING_RE.sub("", folded)).strip(" ,:")
    plain = PUNCT_RE.sub(" ", plain).strip()
    if not EVENT_WORD_RE.search(plain):
        return folded, plain, ""
    return folded, plain, _content(plain)


@lru_cache(maxsize=1 << 14)
def loose_key(written: str) -> str:
    """The content words of a name written without its event word, when it has enough of
    them to meet an event's (level 3) and no more: "" otherwise."""
    _, plain, content = venue_keys(written)
    if content:
        return ""
    words = _content(plain)
    return words if len(words.split()) >= LOOSE_WORDS else ""


def _names_something(key: str) -> bool:
    """Whether a lookup key holds a word that can tell one venue from another."""
    return any(word not in SCOPE_WORDS for word in key.split())


# An abbreviated title ("J. Parallel Distrib. Comput.", "IEEE J. Sel. Areas Commun.", "Proc.
# ACM Manag. Data": DBLP's and ISO 4's way) names the venue whose name has as many words,
# each beginning with the written one, in the same order; one venue only, or none. Only
# names without an event word are abbreviated so.
MIN_TITLE_WORDS = 2
TITLE_SKIP = GENERIC_WORDS | {"a", "an", "at", "to", "&"}


FUNCTION_WORDS = frozenset(("the", "of", "on", "in", "for", "and", "a", "an", "at", "to", "&"))


@lru_cache(maxsize=1 << 14)
def title_words(written: str, *, whole: bool = False) -> tuple[str, ...]:
    """The words of a name that an abbreviated title keeps, folded, in order; ``whole``:
    the publisher's and "Proceedings" too ("Proc. ACM Hum. Comput. Interact." is the
    Proceedings of the ACM on Human-Computer Interaction, not the journal Human-Computer
    Interaction)."""
    if whole:
        folded = PUNCT_RE.sub(" ", venue_keys(written)[0])
        return tuple(w for w in folded.split() if w not in FUNCTION_WORDS)
    plain = venue_keys(written)[1]
    return tuple(
        w for w in plain.split() if w not in TITLE_SKIP and not SOCIETY_WORD_RE.fullmatch(w)
    )


def _publishers(text: str) -> set[str]:
    """The publishers and societies a name names ("IEEE", "ACM", "SIGGRAPH"): an abbreviated
    title that names one is no title of another's ("ACM Trans. Softw. Eng." is not IEEE's
    Transactions on Software Engineering)."""
    words = PUNCT_RE.sub(" ", fold(text).replace("\\", "/")).split()
    found = {
        part
        for word in words
        if SOCIETY_WORD_RE.fullmatch(word) or word in ("ieee", "acm", "usenix")
        for part in re.split(r"[/-]", word)
    }
    if any(part.startswith("sig") for part in found):
        found.add("acm")  # a special interest group's event is its society's too
    return found


# The kinds of event a name may say it is, one word each.
EVENT_KINDS = {"conferences": "conference", "symposia": "symposium", "meetings": "meeting"}


def _event_words(text: str) -> set[str]:
    """The kinds of event ``text`` names: "conference", "symposium", "congress", ..."""
    found = EVENT_WORD_RE.findall(fold(text))
    return {EVENT_KINDS.get(word, word) for word in found}


# An event's acronym and year as a title's part: "COMAD 2013", "CAV 2016" (two capitals at
# least: "December 2013" is a date).
OWN_ACRONYM_RE = re.compile(r"(?=\S*[A-Z]\S*[A-Z])[A-Za-z][\w&+-]*\s*(?:\d{4}|'\d\d)")


# A title that says the event was held as part of another names that one's acronym too.
FEDERATION_RE = re.compile(r"\bpart of\b|co-?located|in conjunction with|federated", re.I)


def _own_acronym(part: str) -> bool:
    return OWN_ACRONYM_RE.fullmatch(part.strip()) is not None


def _decorated_acronym(text: str, venue: Venue) -> bool:
    """Whether ``text`` is ``venue``'s acronym with a year or "Proceedings of" around it,
    not the acronym alone."""
    plain = venue_keys(text)[1]
    return plain == venue_keys(venue.acronym)[1] and fold(text).strip() != plain


def _topic(name: str) -> bool:
    """Whether ``name`` says what an event is about, not which event it is: two words or
    more, no event word, no acronym ("Privacy Enhancing Technologies", not "ACM CHI", "the
    NAACL-HLT 2012" nor "International Conference on Computer Vision")."""
    plain = venue_keys(name)[1]
    if ACRONYM_IN_NAME_RE.search(name):
        return False
    return len(plain.split()) >= 2 and not EVENT_WORD_RE.search(plain)


def _names_no_workshop(after: str) -> bool:
    """Whether what follows "Workshop" gives it no name of its own: a year or an acronym in
    parentheses ("... Workshop (PET 2002)"), not "on Uncertainty in Deep Learning"."""
    return TOPIC_AFTER_RE.fullmatch(after) is not None


# "Coling 2008: Proceedings of the workshop on ...": the host, then its proceedings' words.
PROCEEDINGS_TAIL_RE = re.compile(r"[:,]?\s*proceedings(?: of(?: the)?)?\s*$", re.I)
# A word in two capitals at least ("NAACL-HLT", "ISC"), as no topic is written.
ACRONYM_IN_NAME_RE = re.compile(r"\b[A-Za-z]*[A-Z][A-Za-z]*[A-Z]")
TOPIC_AFTER_RE = re.compile(r"\s*(?:\d{4}|'\d\d)?\s*(?:\([^()]*\))?[\s.]*")


def _joint_partner(part: str) -> bool:
    """Whether an unknown part of a joint name is an event held with the venue ("IAAI") or
    an edition's number ("MICRO-52", "CoNLL-X"), not a volume of its own ("SIGIR-AP")."""
    return fold(part) in JOINT_PARTNERS or EDITION_RE.fullmatch(part) is not None


def _title_parts(text: str) -> list[str]:
    """A proceedings title's parts: between commas, colons, full stops and dashes."""
    return [q for p in PART_SPLIT_RE.split(text) if p for q in DASH_RE.split(p) if q]


def _incidental(parts: list[str]) -> bool:
    """Whether ``parts`` only say which main volume a title is, where and when."""
    parts = [VIRTUAL_RE.sub("", p).strip(" .") for p in parts]
    return all(MAIN_VOLUME_RE.fullmatch(p) or _place_and_date([p], dated=False) for p in parts)


def _place_and_date(parts: list[str], *, dated: bool = True) -> bool:
    """Whether ``parts`` only say where and when an event was held, a year among them
    (``dated``)."""
    if dated and not any(YEAR_RE.search(p) or MONTH_RE.search(p) for p in parts):
        return False
    return not any(NOT_PLACE_RE.search(p) or len(p.split()) > MAX_PLACE_WORDS for p in parts)


@dataclass(frozen=True, slots=True)
class Title:
    """A registry name's words, for abbreviated titles, and the publishers it names."""

    words: tuple[str, ...]
    venue: Venue
    publishers: frozenset[str]

    def abbreviated_by(self, written: tuple[str, ...]) -> bool:
        """Whether each written word begins the name's word in the same place."""
        return all(full.startswith(short) for short, full in zip(written, self.words, strict=True))


RESOLVED_CACHE = 1 << 14


class VenueRegistry:
    """Venues by acronym, full name and alias; see the module docstring for the levels."""

    def __init__(self, entries: list[VenueEntry]) -> None:
        self._levels: tuple[dict[str, Venue | None], ...] = ({}, {}, {})
        self._tracks: dict[tuple[str, str], Venue] = {}
        self._acronyms: dict[str, Venue] = {}
        # A venue line recurs on every paper of that venue: each spelling is resolved once.
        self._resolved: dict[tuple[str, str], Venue] = {}
        # Every name's words by how many there are, for abbreviated titles.
        self._titles: dict[tuple[bool, int], list[Title]] = {}
        # Every venue's words of its names, for a proceedings title's name beside its acronym.
        self._words: dict[Venue, set[str]] = {}
        # The kinds of event (conference, symposium, ...) and the societies its names name.
        self._events: dict[Venue, set[str]] = {}
        self._societies: dict[Venue, set[str]] = {}
        self._event_titles: set[Venue] = set()
        self._society_acronyms: set[Venue] = set()
        for entry in entries:
            self._index(entry)
        for entry in entries:
            for track, acronym in entry.get("tracks", {}).items():
                self._tracks[(entry["acronym"], track)] = self._acronyms[fold(acronym)]

    def _index(self, entry: VenueEntry) -> None:
        """Every spelling of a registry record under every key it is looked up by."""
        venue = Venue(entry["acronym"], entry["name"], entry["type"], True)
        self._acronyms[fold(venue.acronym)] = venue
        if entry.get("also_event"):
            self._event_titles.add(venue)
        if entry.get("acronym_shared"):
            self._society_acronyms.add(venue)
        names = (entry["name"], *entry["aliases"])
        for spelling in (venue.acronym, *names):
            self._add(spelling, venue)
            self._societies.setdefault(venue, set()).update(_publishers(spelling))
        for spelling in names:
            self._words.setdefault(venue, set()).update(
                _stem(w) for w in _content(venue_keys(spelling)[1]).split()
            )
            self._events.setdefault(venue, set()).update(_event_words(spelling))
            # Titles are abbreviated so, events' names are not: "Theory Comput." is the
            # journal Theory of Computing, never the Symposium on Theory of Computing.
            if venue_keys(spelling)[2]:
                continue
            for whole in (False, True):
                words = title_words(spelling, whole=whole)
                if len(words) >= MIN_TITLE_WORDS:
                    self._titles.setdefault((whole, len(words)), []).append(
                        Title(words, venue, frozenset(_publishers(spelling)))
                    )

    def _add(self, spelling: str, venue: Venue) -> None:
        keys = venue_keys(spelling)
        for level, key in zip(self._levels, keys, strict=True):
            self._add_key(level, key, venue)
        if not keys[2] and venue.type != "journal" and spelling != venue.acronym:
            # An event's name written without its event word ("Supercomputing", for SC) is
            # its content words at level 3 too: "Supercomputing Conference" is SC's, and a
            # name another venue's keys reduce to alike ("International Conference on
            # Supercomputing", ICS, without "International") becomes ambiguous there
            # instead of naming the other venue.
            self._add_key(self._levels[2], _content(keys[1]), venue)
        if keys[2]:
            # The name as it is also written: without "International" ("Conference on
            # Information and Knowledge Management") and without the venue's own acronym
            # ("CHI Conference on Human Factors in Computing Systems"). Only the registry's
            # names are widened so: a written "International" still counts.
            acronym = fold(venue.acronym)
            for drop in (("international",), (acronym,), ("international", acronym)):
                self._add_key(self._levels[2], _content(keys[1], frozenset(drop)), venue)

    @staticmethod
    def _add_key(level: dict[str, Venue | None], key: str, venue: Venue) -> None:
        if not key or not _names_something(key):
            return
        owner = level.setdefault(key, venue)
        if owner is not None and owner != venue:
            level[key] = None  # two venues share it: it names neither

    def _lookup(self, text: str) -> Venue | None:
        for index, (level, key) in enumerate(zip(self._levels, venue_keys(text), strict=True)):
            if key in level and (index < 2 or _names_something(key)):
                venue = level[key]  # None: ambiguous at this level; never look looser
                if venue is not None and index and not self._same_event(text, venue, index):
                    return None
                return venue
        venue = self._lookup_looser(text)
        return venue if venue is None or self._same_event(text, venue, 2) else None

    def _same_event(self, text: str, venue: Venue, level: int) -> bool:
        """Whether ``text``, which a key looser than its spelling (``level`` 1 or 2) matched
        to ``venue``, names the venue's society and kind of event.

        Written as the acronym, it names no society the venue's names do not ("IEEE SPM" is
        not the Symposium on Solid and Physical Modeling); as a name, none that differs
        from all of theirs ("IEEE ... Multimedia" is not ACM's MM; a name the registry
        writes without its society may be written with it). Matched by its content words
        alone (level 2), it names the same kind of event ("International Symposium on
        Computer Design" is not the Conference)."""
        written, own = _publishers(text), self._societies.get(venue, set())
        acronym = level == 1 and venue_keys(text)[1] == venue_keys(venue.acronym)[1]
        if written and not written & own and (acronym or own):
            return False
        if level == 2:
            events, kinds = _event_words(text), self._events.get(venue, set())
            return not (events and kinds) or bool(events & kinds)
        return True

    def _lookup_looser(self, text: str) -> Venue | None:
        """``text`` when no level names it as written: an acronym and an event word, a name
        without its event word, a name with an "International" the registry's lacks."""
        content = venue_keys(text)[2]
        if content and " " not in content and content in self._acronyms:
            return self._acronyms[content]  # "EuroSys Conference", "2009 EuroSys Conference"
        loose = loose_key(text)
        if loose:
            return self._levels[2].get(loose)
        # "International Conference on Innovative Data Systems Research" for the registry's
        # "Conference on Innovative Data Systems Research": the written "International" is
        # looked past only when nothing matched with it, and the rest is a long name (two
        # words, "Information Security", name different events with and without it).
        bare = " ".join(w for w in content.split() if w != "international")
        if bare != content and len(bare.split()) >= LOOSE_WORDS:
            return self._levels[2].get(bare)
        return None

    def _lookup_named(self, text: str) -> Venue | None:
        """``text`` as a name, or in one of the ways a name is written with more around it
        (an acronym that must agree with it, an abbreviated title, a proceedings title's
        parts, a joint venue): the first way that names a venue."""
        for way in (
            self._lookup,
            self._lookup_with_acronym,
            self._lookup_acronym_word,
            self._lookup_abbreviated,
            self._lookup_acronym_part,
            self._lookup_placed,
            self._lookup_dashed,
            self._lookup_joint,
            self._lookup_edition,
            self._lookup_subtitled,
        ):
            venue = way(text)
            if venue is not None:
                return venue
        return None

    def _lookup_with_acronym(self, text: str) -> Venue | None:
        """A name with its acronym in parentheses after it or inside it: the acronym and the
        rest must name the same venue."""
        match = PAREN_ACRONYM_RE.match(text)
        if match:
            name = VOLUME_NUMBER_RE.sub("", match["venue"])
            named = self._lookup_parts(name) or self._lookup_abbreviated(name)
            if named is not None and self._lookup(match["acronym"]) == named:
                return named
        inner = INNER_ACRONYM_RE.search(text)
        if inner:
            # "Network and Distributed System Security (NDSS) Symposium"
            named = self._lookup(inner["acronym"])
            rest = INNER_ACRONYM_RE.sub(" ", text, count=1).strip()
            if named is not None and self._agrees(rest, named):
                return named
        return None

    def _lookup_acronym_word(self, text: str) -> Venue | None:
        for word in ACRONYM_WORD_RE.findall(text):
            # The venue's acronym as a word of its name ("CHI Conference on Human Factors
            # in Computing Systems", as Semantic Scholar writes it): the rest must name it.
            named = self._lookup(word)
            rest = re.sub(rf"\b{re.escape(word)}\b\s*", "", text, count=1)
            if named is not None and rest.strip() and self._lookup(rest) == named:
                return named
        return None

    # Size: the forms a workshop's line names its host in, each tried in turn.
    # Size: the forms a workshop's line names its host in, each tried in turn.
    def _workshop_host(self, text: str) -> tuple[Venue, str | None] | None:
        """The conference a workshop's line names as its host, and its workshops' track, if
        any: after "at" or "@"; as all that comes before the word ("CVPR Workshops",
        "IEEE/CVF ... (CVPR) Workshops"); as the line's first word ("NIPS 2018
        Visually-Grounded ... Workshop"); or as "CVPRW". A venue that is itself a workshop
        ("IEEE Spoken Language Technology Workshop") or whose acronym another body shares
        (ISCA) hosts none here; a venue's topic before the word is its own former name
        ("Privacy Enhancing Technologies Workshop (PET 2002)" is PETS: no track)."""
        word = WORKSHOP_WORD_RE.search(text)
        host = WORKSHOP_HOST_RE.search(text)
        if host is not None and (word is not None or "@" in text):
            return self._hosting(self._conference(host["host"]))
        if word is None:
            marked = {self._conference(m["acronym"]) for m in WORKSHOPS_ACRONYM_RE.finditer(text)}
            return self._hosting(marked.pop() if len(marked) == 1 else None)
        if EDITION_WORKSHOP_RE.search(text):
            return None
        before = PROCEEDINGS_TAIL_RE.sub("", text[: word.start()]).strip(" -–—,:")
        if before and AFTER_WORKSHOP_RE.match(text[word.end() :]):
            venue = self._conference(before)
            if venue is not None and _topic(before) and _names_no_workshop(text[word.end() :]):
                return venue, None
            if venue is not None:
                return self._hosting(venue)
        first = FIRST_ACRONYM_RE.match(text)
        return self._hosting(self._conference(first["word"].rstrip(",")) if first else None)

    def _hosting(self, venue: Venue | None) -> tuple[Venue, str] | None:
        """``venue`` and its workshops' track, where it hosts workshops of its own."""
        if venue is None or venue in self._society_acronyms:
            return None
        return (venue, "Workshops") if "workshop" not in fold(venue.name or "") else None

    def _conference(self, text: str) -> Venue | None:
        """The conference ``text`` names, with its year or not; None for anything else."""
        venue = self._lookup_named(text.strip())  # its ways include an edition's year
        return venue if venue is not None and venue.type == "conference" else None

    def _lookup_subtitled(self, text: str) -> Venue | None:
        """A name before a colon, when all after it says only which main volume it is
        ("...Computational Linguistics: Human Language Technologies, Volume 1")."""
        head, colon, rest = text.partition(": ")
        if not colon or not rest.strip():
            return None
        venue = self._lookup(head)
        parts = [VIRTUAL_RE.sub("", p).strip(" .") for p in rest.split(",")]
        if venue is None or not all(MAIN_VOLUME_RE.fullmatch(p) for p in parts):
            return None  # "Neural Networks: Tricks of the Trade" is a book, not the journal
        return venue

    def _lookup_edition(self, text: str) -> Venue | None:
        """An event's acronym with its edition's year, glued or after a space ("ICML2019",
        "SANER23", "ICML 17"); a journal's acronym is never written so."""
        match = EDITION_YEAR_RE.match(text.strip())
        if match is None or fold(match["acronym"]) not in self._acronyms:
            return None
        venue = self._acronyms[fold(match["acronym"])]
        return venue if venue.type == "conference" else None

    def _lookup_dashed(self, text: str) -> Venue | None:
        return self._lookup_parts(text) if DASH_RE.search(text) else None

    def _lookup_joint(self, text: str) -> Venue | None:
        """ "AAAI/IAAI", "HLT-NAACL": the one registry venue the parts name."""
        if not JOINT_RE.match(text):
            return None
        parts = [p for p in JOINT_SPLIT_RE.split(text) if p]
        named = [self._lookup(p) for p in parts]
        # Every part an event: a registry venue, or a partner held with it ("AAAI/IAAI",
        # "HLT-NAACL"); an unknown part is a volume of its own ("ICSE-SEIP", "CVPR-W",
        # "ISMAR-Adjunct", "SIGIR-AP", "VLDB-PhD").
        unknown = [p for v, p in zip(named, parts, strict=True) if v is None]
        if not all(_joint_partner(p) for p in unknown):
            return None
        known = set(named) - {None}
        return known.pop() if len(known) == 1 else None

    def _lookup_acronym_part(self, text: str) -> Venue | None:
        """The venue a part "ACRONYM YEAR" of ``text`` names, when another part names the
        same venue or only words of its names (DBLP's proceedings titles: "Computer Aided
        Verification - 28th International Conference, CAV 2016, Toronto, ...", "ASPLOS '20:
        Architectural Support for Programming Languages and Operating Systems, ...")."""
        if "," not in text and ": " not in text and not DASH_RE.search(text):
            return None
        parts = _title_parts(text)
        if len(parts) > MAX_TITLE_PARTS:
            return None
        for i, part in enumerate(parts):
            named = self._acronym_with_year(part)
            if named is None:
                continue
            if self._named_beside(text, parts, i, named):
                return named
        return None

    def _named_beside(self, text: str, parts: list[str], i: int, venue: Venue) -> bool:
        """Whether the name before the acronym part ``parts[i]`` (whole, or one part of it)
        names ``venue``, with every other part only saying which main volume the title is,
        where and when ("Student Research Workshop", "Demos", "Companion Volume" are volumes
        of their own)."""
        before = text[: text.find(parts[i])].strip(" ,:-–—.")
        if (
            before
            and self._agrees(before, venue)
            and self._rest_incidental(parts, tuple(range(i + 1)), venue)
        ):
            return True
        return any(
            j != i
            and self._agrees(candidate, venue)
            and self._rest_incidental(parts, (i, j), venue)
            for j, candidate in enumerate(parts)
        )

    def _rest_incidental(self, parts: list[str], taken: tuple[int, ...], venue: Venue) -> bool:
        """Whether the parts but ``taken`` say no more than a volume, a place and a date, or
        name ``venue`` again (never another venue: "ICML 2020, NeurIPS 2020")."""
        rest = [p for k, p in enumerate(parts) if k not in taken]
        named = {self._acronym_with_year(p) for p in rest}  # "NeurIPS 2020", not "DC"
        if named - {None, venue}:
            return False
        if self._another_acronym(rest, venue):
            return False  # "..., COMAD 2013, Ahmedabad": another event's acronym and year
        return _incidental([p for p in rest if self._lookup(p) != venue])

    def _another_acronym(self, parts: list[str], venue: Venue) -> bool:
        """Whether one of ``parts`` is an acronym and a year that does not name ``venue``
        ("COMAD 2013"), a federation's aside (held as part of ..., "FloC 2018")."""
        if any(FEDERATION_RE.search(p) for p in parts):
            return False
        return any(_own_acronym(p) and self._acronym_with_year(p) != venue for p in parts)

    def _acronym_with_year(self, part: str) -> Venue | None:
        """The venue a part "CAV 2016", "ASPLOS '20", "Conference Record of POPL 2001" names."""
        match = ACRONYM_YEAR_RE.fullmatch(LEADING_RE.sub("", fold(part)).strip())
        return self._lookup(match["acronym"]) if match else None

    def _agrees(self, part: str, venue: Venue) -> bool:
        """Whether ``part`` names ``venue``, or is at least two words all of its names'
        (with the acronym beside it: "Computing and Combinatorics" for COCOON)."""
        if self._lookup(part) == venue:
            return True
        words = {_stem(w) for w in _content(venue_keys(part)[1]).split()}
        return len(words) >= MIN_TITLE_WORDS and words <= self._words.get(venue, set())

    def _lookup_placed(self, text: str) -> Venue | None:
        """The venue a proceedings title's name names, when all that follows it says where
        and when ("Proceedings of the 16th International Conference on Data Engineering,
        San Diego, California, USA, February 28 - March 3, 2000")."""
        parts = [p.strip() for p in text.split(",")]
        while parts and fold(parts[0]) in ("proceedings", ""):
            parts.pop(0)
        if len(parts) < 2 or len(parts) > MAX_TITLE_PARTS or not _place_and_date(parts[1:]):
            return None
        venue = self._lookup_named(parts[0]) if ": " not in parts[0] else self._lookup(parts[0])
        if venue is None or self._rest_incidental(parts, (0,), venue):
            return venue
        return None

    def _lookup_abbreviated(self, text: str) -> Venue | None:
        """The one venue whose name ``text`` abbreviates word by word, if any: every word
        kept first, then without the publisher and "Proceedings"."""
        if "." not in text:
            return None
        for whole in (True, False):
            words = title_words(text, whole=whole)
            if len(words) < MIN_TITLE_WORDS:
                continue
            publishers = _publishers(text)
            found = {
                title.venue
                for title in self._titles.get((whole, len(words)), ())
                if publishers <= title.publishers and title.abbreviated_by(words)
            }
            if len(found) == 1:
                return found.pop()
        return None

    def _lookup_parts(self, text: str) -> Venue | None:
        """``text``, or the one venue its parts between dashes all name ("ICASSP 2023 -
        2023 IEEE International Conference on Acoustics, Speech and Signal Processing")."""
        venue = self._lookup(text)
        if venue is not None:
            return venue
        parts = [self._lookup(p) for p in DASH_RE.split(text) if p.strip()]
        if len(parts) > 1 and None not in parts and len(set(parts)) == 1:
            return parts[0]
        return None

    def _track(self, venue: Venue, track: str) -> Venue | None:
        own = self._tracks.get((venue.acronym, track))
        if own is not None:
            return own
        if track == "Workshops" and venue.type == "conference":
            return Venue(f"{venue.acronym} Workshops", f"{venue.name} Workshops", "workshop", True)
        return None

    # Size: a venue, a prefixed track, a suffixed track or volume: the ways a track is written.
    def _resolve(self, text: str) -> tuple[Venue | None, str | None]:
        """The venue ``text`` names and the track it names, if any."""
        text = MAIN_TRACK_RE.sub("", VOLUME_RE.sub("", text)).strip()
        poster = POSTER_RE.search(text)
        if poster:
            venue, track = self._resolve(text[: poster.start()])
            return (venue, track) if track else (self._posters(venue), None)
        venue = self._lookup_named(text)
        if venue is not None:
            return venue, None
        prefixed = TRACK_PREFIX_RE.match(text)
        if prefixed:
            return self._lookup_named(prefixed["venue"]), TRACK_WORDS["findings"]
        labelled = self._labelled(text)
        if labelled[0] is not None:
            return labelled
        hosted = self._workshop_host(text)
        if hosted is not None:
            return hosted
        match = TRACK_RE.match(text)
        if match:
            label = fold(match["paren"] or match["comma"] or "").strip()
            inner, _ = self._resolve(match["venue"])
            if inner is not None and label in TRACK_WORDS:
                return inner, TRACK_WORDS[label]
            if inner is not None and match["paren"] and VOLUME_RE.match(f"({label})"):
                return inner, None
        return None, None

    def _labelled(self, text: str) -> tuple[Venue | None, str | None]:
        """A venue, its year and a label after it ("ICLR 2024 poster", "EMNLP 2023
        Findings", "NeurIPS 2023 Workshop on ..."; "NeurIPS 2023 Datasets and Benchmarks")."""
        match = LABELLED_RE.match(text)
        if match is None:
            return None, None
        label = fold(match["label"]).strip()
        inner = self._lookup_named(match["venue"])
        if inner is not None:
            if label == "poster":
                return self._posters(inner), None
            if PRESENTATION_RE.fullmatch(label):
                return inner, None
            first = label.split()[0]
            if first in TRACK_WORDS:
                return inner, TRACK_WORDS[first]
        return self._lookup_named(f"{match['venue']} {match['label']}"), None

    @staticmethod
    def _posters(venue: Venue | None) -> Venue | None:
        """The venue a poster of ``venue`` is in: ``venue`` where posters are its papers."""
        return venue if venue is not None and venue.acronym in POSTERS_ARE_PAPERS else None

    def journal_acronyms(self) -> frozenset[str]:
        """The acronyms of the registry's journals."""
        return frozenset(a.acronym for a in self._acronyms.values() if a.type == "journal")

    def cache_clear(self) -> None:
        """Forget the spellings resolved so far (as ``functools`` memos do)."""
        self._resolved.clear()

    def resolve(self, written: str, kind: str) -> Venue:
        """The registry's venue for ``written``, or ``written`` kept as is, flagged unknown.

        A DBLP volume or main track ("ACL (1)", "ICLR (Poster)", "USENIX ATC, General
        Track") does not hide a known venue; a track of its own ("NAACL-HLT (Findings)",
        "ICLR (Workshop)", a workshop line at a conference) is that track's venue, or
        unknown: never the main conference.
        """
        known = self._resolved.get((written, kind))
        if known is None:
            if len(self._resolved) >= RESOLVED_CACHE:
                self._resolved.clear()
            known = self._resolved[(written, kind)] = self._resolve_line(written, kind)
        return known

    def _resolve_line(self, written: str, kind: str) -> Venue:
        text = normalize_space(written)
        kind = kind.lower()
        venue, track = self._resolve(text)
        bare = QUALIFIER_RE.sub("", text).strip()
        if venue is None and bare and bare != text:
            venue, track = self._resolve(bare)
        if venue is not None:
            venue = self._as_kind(text, venue, track, kind)
        return venue if venue is not None else Venue(text, None, kind, False)

    def _as_kind(self, text: str, venue: Venue, track: str | None, kind: str) -> Venue | None:
        """The venue a line of this kind names: a conference's workshops for a workshop's
        line, the track a line names, none where a journal's line names a conference only
        loosely."""
        if (
            track is None
            and kind == "workshop"
            and venue.type == "conference"
            and "workshop" not in fold(venue.name or "")
            and "workshop" not in fold(text)
        ):
            # Not for a venue that is a workshop itself ("HotOS"), or was named as one ("IEEE
            # Workshop on Applications of Computer Vision", WACV's former name).
            track = "Workshops"
        if track is not None:
            return self._track(venue, track)
        return venue if self._kind_may_name(text, venue, kind) else None

    def _kind_may_name(self, text: str, venue: Venue, kind: str) -> bool:
        """Whether a line of this kind names ``venue``: a journal's line a conference only as
        ``_journal_may_name`` says; an event's line a journal whose title is also an event's
        only as a journal is written ("Parallel Computing" on a conference's line is ParCo)."""
        if kind == "journal":
            return self._journal_may_name(text, venue)
        if venue.type != "journal":
            return True
        if _decorated_acronym(text, venue):
            return False  # "TC 1978", "Proc. of TC 1993": an event's edition, not the journal
        return venue not in self._event_titles or _may_name_journal(text)

    def _journal_may_name(self, text: str, venue: Venue) -> bool:
        """Whether a journal's line names the conference ``venue``: by one of its spellings
        as written ("Proc. VLDB Endow."), as an event ("Proceedings of the AAAI Conference
        on Artificial Intelligence") or by its acronym as the conference writes it ("NeurIPS
        2022", "Interspeech 2022"). "IEEE Micro" is the magazine, not MICRO, and "World Wide
        Web" the journal, not The Web Conference."""
        if venue.type != "conference" or self._levels[0].get(venue_keys(text)[0]) == venue:
            return True
        if EVENT_WORD_RE.search(text.lower()) or PROCEEDINGS_RE.match(fold(text)):
            return True  # "Proc. of ICLR" in a BibTeX journal field: the proceedings
        # The acronym with a year, as an edition ("NeurIPS 2022"; "IEEE MICRO" is the magazine).
        words = set(re.findall(r"[\w&+]+", text))
        return bool(words & set(venue.acronym.split())) and YEAR_RE.search(text) is not None


# "Proceedings of", "Proc. of": a conference's proceedings, whatever field holds the line.
PROCEEDINGS_RE = re.compile(r"proc(?:eedings)?\.?[ /]of\b")
# Words only a journal's title has ("Journal", "Trans.", "Letters", "Proc. VLDB Endow."):
# an event's line that names a journal writes one, or abbreviates it, or gives its acronym.
JOURNAL_WORD_RE = re.compile(
    r"\b(?:journal|transactions|letters|magazine|review|reviews|bulletin|annals|quarterly"
    r"|surveys|communications of|proceedings of the (?:acm on|vldb|national academy))\b"
)


def _may_name_journal(text: str) -> bool:
    """Whether an event's line (a conference's or workshop's) may name a journal whose title
    is also an event's: by a word only a journal's title has, abbreviated ("Artif. Intell.
    Medicine"), or by its acronym alone; its title alone ("Parallel Computing", "Artificial
    Intelligence in Medicine") names the event too, and an acronym with a year ("WI 2005")
    an edition of the event."""
    if " " not in text.strip():
        return True
    return "." in text or JOURNAL_WORD_RE.search(fold(text)) is not None


@cache
def default_registry() -> VenueRegistry:
    """The registry bundled in ``pipelines/data/venues.json``."""
    data = resources.files("pipelines").joinpath("data/venues.json").read_text("utf-8")
    return VenueRegistry(json.loads(data)["venues"])

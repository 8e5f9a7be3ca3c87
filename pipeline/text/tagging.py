"""Rule-based claim tagging: claim type, check-worthiness, hedging, attribution, topics.

Taxonomy
--------
Claim types follow Full Fact's claim-type schema (Konstantinovskiy et al. 2021, "Toward
Automated Factchecking"):

``quantity``
    a current value, a change, a comparison or a ranking ("NEV exports rose 25% in 2023",
    "the world's second-largest market").
``prediction``
    a statement about the future or a hypothetical ("output is expected to double by 2030").
``correlation_causation``
    one thing causes, drives or goes with another ("rising labour costs led to automation").
``law_rule``
    laws, rules, official plans and policies ("Made in China 2025", "the 14th Five-Year Plan",
    tariffs, subsidies, bans, mandates, "firms must register").
``personal_experience``
    a first-person account of something the speaker did or saw ("I visited a battery plant").
``other_claim``
    any other checkable assertion: attributions and quotes ("according to X", "officials
    said"), definitions, statements of support, dated events and generic factual statements
    with an assertive event or state verb ("BYD opened a plant", "has become", "accounts for").
``not_a_claim``
    questions, fragments of fewer than four words, web boilerplate, and opinion, wishes or
    exhortation ("I think", "we should", "thank you") that carry no factual cue.

How a type is chosen
--------------------
All cue phrases of all rule families are compiled into one trie-shaped regular expression
over the lower-cased sentence, plus one for numbers and one for topic terms; each is scanned
once per sentence (``finditer``), and a matched phrase is looked up in a dict that says which
rules it fires and which context check (e.g. "preceded by I or we") it needs. Each match
fires one or more *rules* and becomes an evidence item ``{"rule", "cue", "start", "end"}``
whose offsets slice the cue out of the sentence. The type is then decided as follows:

1. boilerplate, a question, or fewer than four words -> ``not_a_claim``;
2. otherwise the first type in ``TYPE_PRIORITY`` that has a cue wins: law_rule >
   correlation_causation > prediction > quantity > personal_experience > other_claim. A claim
   about a rule, a cause or the future is classed by that frame even when it holds a number
   ("output is expected to double by 2030" is a prediction, "rising costs led to automation"
   a causal claim), as in Full Fact's annotation guidelines;
3. a sentence with an opinion cue and no number or amount (``_STRONG_RULES``), whose other
   cues are only "soft" ones (prediction, personal experience, causation, law, generic
   assertion or statement), is opinion -> ``not_a_claim``; so is a sentence with no type cue
   at all. Causal and legal cues used to outvote opinion; on CheckThat! 2024, PoliClaim and
   ClaimBuster alike, sentences with an opinion cue and only such cues were mostly labelled
   not a claim, so they no longer do.

Generic factual statements
--------------------------
Besides the phrase lexicon, two regular expressions (``_PAST_STATEMENT_RE`` and
``_NAMED_STATEMENT_RE``, rule ``statement``) find the shape of a plain statement of fact: a
subject pronoun followed by a past-tense or perfect verb ("we've initiated", "it changed"),
or a capitalised name followed by a verb of being or having and an article, number or
participle ("Emily is a graduate", "Ohio has 88 counties"). It explains ``other_claim`` and
carries no check-worthiness weight.

Decision rule per label sense
-----------------------------
The tagger answers two different questions, and each has one fixed decision rule:
*check-worthy* (CheckThat!: would a fact-checker want to check it?) is
``checkworthiness >= 0.5``; *verifiable factual claim* (PoliClaim, AFaCTA, ClaimBuster's
factual class) is ``verifiable``. The two senses disagree on many sentences (predictions and
political promises are usually verifiable claims but rarely check-worthy), so one threshold
cannot serve both.

``TYPE_RULES`` maps each type to the evidence rules that explain it, and every tagged claim
carries at least one of them: there are no unexplained positives.

Check-worthiness
----------------
A deterministic score in [0, 1]: the logistic function of a weighted sum of which rules fired
(``CHECKWORTHINESS_WEIGHTS`` plus ``CHECKWORTHINESS_BIAS``). Numbers, laws and causal cues push
it up, opinion, hedges, first-person experience and questions push it down; boilerplate and
fragments score 0. The weights were set by hand, guided by a logistic fit of the same
indicator features on public check-worthiness data (CheckThat! 2024 English training set,
PoliClaim), and rounded so they stay readable.

``verifiable`` follows AFaCTA: any type except ``not_a_claim`` and ``personal_experience``.
``hedged`` is True when a hedge cue fired ("may", "could", "is expected to", "likely").
``attributed_to`` is the text of the first attribution span (the source noun phrase, e.g.
"Some external observers", or the whole "according to ..." phrase).

This module imports no Dagster; it works on plain strings and returns a pandas DataFrame.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import yaml

if TYPE_CHECKING:
    from pipeline.text.model import ClaimModel

__all__ = [
    "CHECKWORTHINESS_BIAS",
    "CHECKWORTHINESS_WEIGHTS",
    "CLAIM_TYPES",
    "COLUMNS",
    "TYPE_PRIORITY",
    "TYPE_RULES",
    "load_topic_lexicon",
    "tag_claims",
]

CLAIM_TYPES: tuple[str, ...] = (
    "quantity",
    "prediction",
    "correlation_causation",
    "law_rule",
    "personal_experience",
    "other_claim",
    "not_a_claim",
)
"""The claim types, after Full Fact's schema; ``not_a_claim`` for everything else."""

COLUMNS: tuple[str, ...] = (
    "is_claim",
    "claim_type",
    "checkworthiness",
    "verifiable",
    "hedged",
    "attributed_to",
    "topics",
    "evidence",
)
"""Columns of the frame returned by :func:`tag_claims`, in order."""

# Rule names that appear in evidence items.
QUANTITY = "quantity"
PREDICTION = "prediction"
CAUSATION = "correlation_causation"
LAW = "law_rule"
PERSONAL = "personal_experience"
ATTRIBUTION = "attribution"
DEFINITION = "definition"
SUPPORT = "support"
ASSERTION = "assertion"
DATE = "date"
HEDGE = "hedge"
OPINION = "opinion"
BOILERPLATE = "boilerplate"
STATEMENT = "statement"
TOPIC_PREFIX = "topic:"

TYPE_PRIORITY: tuple[str, ...] = (
    "law_rule",
    "correlation_causation",
    "prediction",
    "quantity",
    "personal_experience",
    "other_claim",
)
"""Order in which claim types win when cues of several types fire in one sentence."""

TYPE_RULES: dict[str, frozenset[str]] = {
    "quantity": frozenset({QUANTITY}),
    "prediction": frozenset({PREDICTION}),
    "correlation_causation": frozenset({CAUSATION}),
    "law_rule": frozenset({LAW}),
    "personal_experience": frozenset({PERSONAL}),
    "other_claim": frozenset({ATTRIBUTION, DEFINITION, SUPPORT, ASSERTION, DATE, STATEMENT}),
}
"""Evidence rules that explain each claim type (``not_a_claim`` needs none)."""

_SOFT_RULES = frozenset({PREDICTION, PERSONAL, ASSERTION, STATEMENT})
"""Cues too weak to outvote an opinion cue on their own ("I think we will win")."""

_STRONG_RULES = frozenset({QUANTITY})
"""Cues that keep a sentence a claim even next to an opinion cue. Only numbers and amounts:
on all three public sets checked (CheckThat! 2024, PoliClaim, ClaimBuster), sentences with an
opinion cue and only a causal or legal cue were more often labelled not a claim than a claim
("That's why we need to support character education", "We must cut taxes")."""

CHECKWORTHINESS_BIAS = -0.7
"""Intercept of the check-worthiness score: a sentence with no cue scores about 0.33, and 0.5
is the threshold that best separates check-worthy sentences in CheckThat! 2024 training data."""

CHECKWORTHINESS_WEIGHTS: dict[str, float] = {
    QUANTITY: 1.7,
    LAW: 0.8,
    CAUSATION: 0.3,
    PREDICTION: -0.3,
    PERSONAL: -0.2,
    ATTRIBUTION: 0.6,
    DEFINITION: 0.2,
    SUPPORT: 1.2,
    ASSERTION: 0.9,
    DATE: 1.2,
    HEDGE: 0.0,
    OPINION: -1.1,
    "topic": 0.5,
    "question": -1.5,
    STATEMENT: 0.0,
}
"""Weight of each fired rule (counted once per sentence) in the check-worthiness sum."""

_MIN_WORDS = 4


# --------------------------------------------------------------------------------------------
# Cue lexicon. Cues are literal phrases, written as templates: ``|`` separates alternatives and
# ``{a|b|}`` expands in place (``{is |are |}expected to`` gives three phrases). Matching works
# on the lower-cased sentence; a space inside a phrase matches any run of spaces and hyphens,
# so "second largest" also finds "second-largest". All phrases go into one character trie
# compiled to a single regular expression, scanned once per sentence: this is what keeps the
# tagger fast (a flat alternation of a few thousand phrases is ~50x slower in Python's ``re``).
#
# Each family is (rules fired, check, phrases). A check refines a match using context:
#   None          always fires;
#   "start"       only at the very start of the sentence (boilerplate such as "Leave a reply");
#   "lower"       only when written in lower case ("may" the modal, not "May" the month);
#   "upper"       only when capitalised ("the Clean Air Act", "April");
#   "fp_opinion"  only after a first-person or second-person subject ("I think", "we must");
#   "fp_personal" only after "I" or "we" ("I visited", "we toured");
#   "acc"         extends forward over the named source ("according to the NBS");
#   "back"        extends backward over source modifiers ("Some external observers");
#   "report"      a reporting verb: looks back for its subject ("Dr. Chen said");
#   "num_next"    only right before a number ("about 20").
# When a phrase belongs to several families, the first family whose check passes decides it.

_REPORT_FILLERS = "has|have|had|also|recently|previously|once|reportedly|publicly|repeatedly"

_FAMILIES: tuple[tuple[tuple[str, ...], str | None, str], ...] = (
    (
        (BOILERPLATE,),
        "start",
        "leave a {reply|comment}|click here|read more|subscribe|sign up|share this"
        "|related {articles|posts|stories}|follow us|posted {by|on|in}|skip to {content|main}"
        "|{previous|next} {post|article}|filed under|advertisement|loading|sponsored content",
    ),
    (
        (BOILERPLATE,),
        None,
        "all rights reserved|cookie policy|privacy policy|terms of {use|service}"
        "|terms and conditions|©|this website uses cookies|we use cookies",
    ),
    (
        (LAW,),
        None,
        "made in china 2025|{11th |12th |13th |14th |15th |}five year plan{|s}"
        "|{13th|14th} and {14th|15th} five year plans",
    ),
    ((OPINION,), "fp_opinion", "must|should|have to|need to|got to"),
    (
        (LAW,),
        None,
        "law|laws|legislation|legislative|regulation|regulations|regulatory|rules|policy"
        "|policies|ban|bans|banned|banning|tariff|tariffs|subsidy|subsidies|subsidised"
        "|subsidized|subsidise|subsidize|subsidising|subsidizing|directive|directives|mandate"
        "|mandates|mandated|mandatory|quota|quotas|export control|export controls|sanction"
        "|sanctions|sanctioned|decree|decrees|statute|statutes|treaty|treaties|guideline"
        "|guidelines|requirement|requirements|required|requires|require|prohibit|prohibits"
        "|prohibited|prohibition|illegal|unlawful|legally|constitution|constitutional|bill"
        "|bills|tax|taxes|tax credit|tax credits|taxpayer|taxpayers|levies|levy|licence"
        "|license|licences|licenses|licensing|standards|ordinance|executive order|white paper"
        "|national strategy|industrial policy|imposed|enacted|ratified|promulgated"
        "|signed into law|must|anti dumping|countervailing|compulsory|obliged to|obligated to"
        "|is allowed to|are allowed to|not allowed to|permitted|forbidden|vetoed",
    ),
    ((LAW,), "upper", "act|plan|strategy|initiative|program|programme|directive"),
    (
        (OPINION,),
        "fp_opinion",
        "think|thought|believe|feel|hope|wish|want|like|love|agree|disagree|guess|suppose"
        "|suspect|trust|urge|ask|pray|need|ought|appreciate|thank|welcome|congratulate|salute"
        "|commend|recognize|recognise|intend|propose|challenge|call on|look forward|know"
        "|proud|confident|honored|honoured|committed|grateful|determined|pleased|delighted"
        "|glad|sure|convinced|can't wait|cannot wait|am|'m",
    ),
    (
        (OPINION,),
        None,
        "in my {opinion|view|judgment|judgement}|should|shouldn't|should not|ought to|let's"
        "|let us|thank you|thanks|god bless|good {morning|evening|afternoon|night}"
        "|ladies and gentlemen|wonderful|terrible|tremendous|amazing|proud|honored|honoured"
        "|grateful|shame|shameful|disgrace|disgraceful|outrageous|ridiculous|unacceptable"
        "|incredible|fantastic|beautiful|congratulations|welcome|best wishes|great job"
        "|{it is|it's} {time|important|essential|crucial|vital|critical|necessary|imperative"
        "|clear} {to|that}|frankly|honestly|of course|i mean|you know|by the way",
    ),
    (
        (PERSONAL,),
        "fp_personal",
        "visited|saw|seen|met|went|gone|grew up|worked|spent|talked|spoke|spoken|heard"
        "|traveled|travelled|toured|lived|remember|remembered|learned|learnt|watched|walked"
        "|experienced|attended|joined|stood|sat|noticed|tried|started|began|was born|came"
        "|moved|arrived|returned|received|interviewed|drove|flew|stayed|taught|studied|been"
        "|was|had|got|bought|used|asked|told|wrote|grew|left|found|served|became",
    ),
    (
        (PERSONAL,),
        None,
        "when i|my {father|mother|dad|mom|mum|parents|family|wife|husband|son|daughter|children"
        "|kids|grandfather|grandmother|grandparents|brother|sister|friend|friends|colleague"
        "|colleagues|own|first|visit|trip|experience|career|childhood|hometown|time}"
        "|in my {experience|lifetime|career|travels|life}|as a {child|boy|girl|student"
        "|young man|young woman|teenager}",
    ),
    (
        (ATTRIBUTION,),
        "acc",
        "according to|{a |the |an |}{new |recent |latest |official |}{report|study|survey"
        "|analysis|estimate|review|poll} {by|from}|{data|figures|statistics|estimates}"
        " {from|by|released by|published by}",
    ),
    (
        (ATTRIBUTION,),
        "back",
        "observers|officials|analysts|experts|economists|researchers|scientists|critics"
        "|commentators|executives|insiders|spokesman|spokesmen|spokesperson|spokeswoman"
        "|investors|diplomats|academics|scholars|industry leaders|policymakers|policy makers"
        "|{data|figures|statistics|numbers|studies|study|survey|surveys|poll|polls|report"
        "|reports|research|estimates|evidence|records|results|analysis|findings} {|have |has "
        "|also }{show|shows|showed|shown|suggest|suggests|suggested|indicate|indicates"
        "|indicated|found|find|finds|reveal|reveals|revealed|confirm|confirms|confirmed"
        "|point to|points to}",
    ),
    (
        (ATTRIBUTION,),
        "report",
        "said|says|told|tells|reported|announced|announces|stated|noted|claimed|argued|argues"
        "|warned|warns|added|wrote|writes|explained|insisted|confirmed|acknowledged|admitted"
        "|concluded|pointed out|points out|stressed|emphasized|emphasised|disclosed",
    ),
    ((ATTRIBUTION, HEDGE), None, "reportedly|allegedly|purportedly"),
    (
        (CAUSATION,),
        None,
        "because|because of|due to|owing to|thanks to|as a result|as a consequence|led to"
        "|leads to|lead to|leading to|result in|results in|resulted in|resulting in|cause"
        "|causes|caused|causing|drives|driven by|drove|fueled|fuelled|fuels|spurred|spurs"
        "|triggered|triggers|contribute to|contributes to|contributed to|contributing to"
        "|attributed to|associated with|linked to|correlate|correlates|correlated|correlation"
        "|therefore|consequently|hence|thus|stem from|stems from|stemmed from|that's why"
        "|that is why|which is why|the reason|impact of|impact on|effect of|effect on"
        "|effects of|effects on|enabled|enables|allowed|allows|helped|helps|boosted|boosts"
        "|so that|in response to",
    ),
    (
        (PREDICTION, HEDGE),
        None,
        "{is |are |was |were |be |}{expected|projected|forecast|predicted|likely|unlikely"
        "|anticipated|estimated} to|{aim|aims|aimed|aiming|hope|hopes|hoped|hoping|seek|seeks"
        "|seeking|sought} to",
    ),
    ((PREDICTION, HEDGE), "lower", "may|might|could"),
    (
        (PREDICTION,),
        None,
        "will|won't|shall|would|going to|gonna|set to|poised to|slated to|scheduled to"
        "|due to {be|start|open|begin}|on track to|about to|{plan|plans|planned|planning"
        "|intend|intends|intended|pledge|pledges|pledged|promise|promises|promised|vow|vows"
        "|vowed} to|target|targets|forecast|forecasts|forecasted|predict|predicts|predicted"
        "|projection|projections|outlook|in the {coming|next} {|few |two |three |five |ten }"
        "{years|year|decades|decade|months}|next {year|decade}|in the future|upcoming|soon"
        "|{i|we|you|they|he|she|it|that|there|this|who|what}'ll",
    ),
    (
        (HEDGE,),
        None,
        "probably|possibly|perhaps|potentially|presumably|arguably|apparently|appear to"
        "|appears to|appeared to|seem to|seems to|seemed to|tend to|tends to|roughly"
        "|approximately|an estimated|nearly|almost|likely|unlikely",
    ),
    ((HEDGE,), "num_next", "about|around|some|up to"),
    (
        (DATE,),
        None,
        "{last|this|past} {year|month|week|decade|quarter|summer|spring|autumn|winter}|yesterday"
        "|earlier this {year|month|week}|in recent years|recently|so far this year",
    ),
    (
        (DATE,),
        "upper",
        "january|february|march|april|june|july|august|september|october|november|december",
    ),
    (
        (QUANTITY,),
        None,
        "{|second |third |fourth |fifth |world's |country's |nation's |china's }{largest"
        "|biggest|highest|lowest|smallest|fastest|slowest|cheapest|strongest|weakest|greatest"
        "|longest}|most advanced|leading|top|record|record breaking|record high|record low"
        "|more than|less than|fewer than|higher than|lower than|larger than|bigger than"
        "|greater than|cheaper than|faster than|at least|as many as|as much as|one in {two"
        "|three|four|five|six|seven|eight|nine|ten}|for the first time|first time|first ever"
        "|number one|per capita|average|share of|percent|percentage|rose|risen|rises|rising"
        "|fell|fallen|falls|falling|increased|increases|increasing|decreased|decreases"
        "|decreasing|grew|grown|grows|growing|growth|doubled|doubles|doubling|tripled|triples"
        "|quadrupled|halved|surged|surges|surging|jumped|jumps|dropped|drops|declined|declines"
        "|declining|decline|soared|soars|plunged|plunges|climbed|climbs|expanded|expands"
        "|shrank|shrunk|shrinks|slowed|slows|accelerated|exceeded|exceeds|surpassed|surpasses"
        "|overtook|overtaken|outpaced|outnumber|outnumbered|outnumbers|topped|tops|ranked"
        "|ranks|peaked|reached|reaches|totalled|totaled|totals|increase|decrease|cut by"
        "|raised|lowered|reduced|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
        "|fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand"
        "|dozen|dozens|hundreds|thousands|millions|billions|trillions|million|billion"
        "|trillion|half|one third|one quarter|two thirds|three quarters|quarter|twice|thrice"
        "|majority|minority|double|triple",
    ),
    (
        (DEFINITION,),
        None,
        "{is|are} {defined as|known as|called|referred to as|a term for}|refer to|refers to"
        "|stands for|means that|is a type of|is a form of",
    ),
    (
        (SUPPORT,),
        None,
        "supports|supported|opposes|opposed|voted {for|against|to}|endorse|endorsed|endorses"
        "|backed|signed|sponsored|cosponsored|co sponsored|championed|campaigned {for|against}"
        "|criticized|criticised|praised|condemned|rejected",
    ),
    (
        (ASSERTION,),
        None,
        "launched|built|opened|founded|established|created|introduced|invested|acquired|bought"
        "|sold|produced|manufactured|exported|imported|shipped|delivered|installed|completed"
        "|began|started|became|{has|have} become|won|lost|hired|employs|employed|unveiled"
        "|released|developed|designed|deployed|passed|approved|adopted|closed|paid|spent"
        "|invented|discovered|achieved|dominates|dominated|controls|controlled|{account"
        "|accounts|accounted} for|{is|are} home to|consist of|consists of|comprises|contains"
        "|owns|owned|operates|operated|produces|manufactures|holds|held|emerged|entered"
        "|relocated|partnered|merged|collapsed|went bankrupt|filed|elected|appointed|funded"
        "|allocated|awarded|granted|provided|saved|killed|died|attacked|invaded|is one of"
        "|are among|is among|remains the|was the|were the|announced|reported|confirmed"
        "|moved|grew",
    ),
    (
        (ASSERTION,),
        None,
        "was|were|has been|have been|had been|there {is|are|was|were|have been|has been}"
        "|{is|are} now|no longer|already|still|every year|each year|today",
    ),
)


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_FP_OPINION_SUBJECTS = _wordset("i we you i'm we're you're i'd we'd you'd i've we've you've let's")
_FP_OPINION_FILLERS = _wordset(
    "really strongly truly firmly do don't not also just all certainly simply still can"
    " cannot can't would will should must have to need am are so very deeply both too"
    " personally sincerely genuinely absolutely fully never always"
)
_FP_PERSONAL_SUBJECTS = _wordset("i we i've we've i'd we'd")
_FP_PERSONAL_FILLERS = _wordset(
    "have had also once just recently first personally then still both all never actually"
    " even often really last later finally"
)
_SOURCE_MODIFIERS = _wordset(
    "some many most several other the these those foreign external western chinese american"
    " european independent senior local government industry party state official leading top"
    " private market international u.s. us eu company ministry trade recent new latest"
    " preliminary early customs economic"
)
_SOURCE_STOP = (
    r"is|are|was|were|has|have|had|will|would|could|can|may|might|that|which|who|shows?"
    r"|showed|rose|fell|grew|increased|decreased|dropped|jumped|reached|totall?ed|accounted"
    r"|says?|said|in|on|at|over|last|this|during"
)
_SOURCE_TAIL_RE = re.compile(rf"(?:[ \t]+(?!(?:{_SOURCE_STOP})\b)[\w'&-]+(?:\.[\w]+)*){{1,6}}")
"""After "according to": up to six source words, stopping at a verb or preposition."""

_NAME = (
    r"(?<![\w'’.&-])(?!(?:I|We|You|It|There|This|That|These|Those|What|When|Who|And|But|So"
    r"|As|If|In|On|At|The)\b)[A-Z][\w'’.&-]*(?:\s+(?:[A-Z][\w'’.&-]*|of|for|and|de|van|von))"
    r"{0,4}"
)
_INSTITUTION = (
    r"(?<!\w)(?:(?:the|its|their|our|a|an)\s+)?(?:(?:"
    + "|".join(sorted(_SOURCE_MODIFIERS - {"the"}, key=len, reverse=True)).replace(".", r"\.")
    + r")\s+){0,3}(?:government|ministry|authorities|regulators?|state\s+council|state\s+media"
    r"|xinhua|commission|administration|bureau|white\s+house|central\s+bank|company|firm"
    r"|group|agency|department|office|spokesman|spokeswoman|spokesperson|officials?|analysts?"
    r"|experts?|economists?|researchers?|scientists?|sources|observers|media|report|study"
    r"|survey|data|he|she|they)"
)
_SUBJECT_BEFORE_RE = re.compile(
    rf"(?:(?P<name>{_NAME})|(?P<np>(?i:{_INSTITUTION})))"
    rf"\s*,?\s+(?:(?:{_REPORT_FILLERS})\s+)?\Z"
)
"""The subject of a reporting verb, right before it: a capitalised name or a source phrase."""

_FIRST_PERSON_BEFORE_RE = re.compile(r"(?<!\w)(?:i|we|you)\s+(?:(?:has|have|had)\s+)?\Z")

_NUMBER_RE = re.compile(
    r"(?:(?<!\w)(?:us|rmb|hk)?[$€£¥]\s?|(?<![\w.,-]))(?P<num>\d[\d,]*(?:\.\d+)?)"
    r"(?P<unit>\s*(?:%|percent\b|per\s+cent\b|percentage\s+points?\b|pct\b)"
    r"|\s*(?:bn|mn|billion|million|trillion|thousand)\b(?:\s+(?:yuan|dollars|euros|rmb))?"
    r"|\s+(?:yuan|dollars|euros|rmb|gw|gwh|units|tonnes|tons)\b|(?:st|nd|rd|th|s)\b|-fold\b"
    r"|x\b)?"
)
_YEAR_CONTEXT_RE = re.compile(
    r"(?<!\w)(?P<word>by(?:\s+the\s+(?:end|middle|start)\s+of)?|before|in|since|from|until"
    r"|till|through|during|after|between|of|to|and|year|fiscal|early|late|mid)"
    r"[\s-]+(?:the\s+)?\Z"
)


def _expand(spec: str) -> list[str]:
    """Expand a phrase template: top-level ``|`` alternatives, ``{a|b|}`` in place."""
    alternatives, depth, current = [], 0, []
    for ch in spec:
        if ch == "|" and depth == 0:
            alternatives.append("".join(current))
            current = []
            continue
        depth += ch == "{"
        depth -= ch == "}"
        current.append(ch)
    alternatives.append("".join(current))
    phrases: list[str] = []
    for alt in alternatives:
        phrases.extend(_expand_braces(alt))
    return [_normalise(p) for p in phrases if p.strip()]


def _expand_braces(template: str) -> list[str]:
    open_at = template.find("{")
    if open_at < 0:
        return [template]
    close_at = template.index("}", open_at)
    head, tail = template[:open_at], template[close_at + 1 :]
    out: list[str] = []
    for option in template[open_at + 1 : close_at].split("|"):
        out.extend(_expand_braces(head + option + tail))
    return out


def _normalise(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").replace("-", " ").split())


def _trie_regex(phrases: Sequence[str], separator: str) -> str:
    """One regex alternation for ``phrases`` laid out as a character trie (longest first)."""
    root: dict = {}
    for phrase in phrases:
        node = root
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str | None:
        branches: list[str] = []
        leaves: list[str] = []
        for ch in sorted(k for k in node if k):
            below = emit(node[ch])
            if below is None and ch != " ":
                leaves.append(re.escape(ch))
            else:
                branches.append((separator if ch == " " else re.escape(ch)) + (below or ""))
        if leaves:
            branches.append(leaves[0] if len(leaves) == 1 else "[" + "".join(leaves) + "]")
        if not branches:
            return None
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root) or "(?!)"


_Action = tuple[tuple[str, ...], str | None]
"""(rules fired, check) of one cue family."""


def _compile_cues() -> tuple[re.Pattern[str], dict[str, tuple[_Action, ...]]]:
    actions: dict[str, list[_Action]] = {}
    for rules, check, spec in _FAMILIES:
        for phrase in _expand(spec):
            bucket = actions.setdefault(phrase, [])
            if (rules, check) not in bucket:
                bucket.append((rules, check))
    body = _trie_regex(sorted(actions), r"[\s\-]+")
    regex = re.compile(rf"(?<![\w']){body}(?![\w'])")
    return regex, {phrase: tuple(acts) for phrase, acts in actions.items()}


_CUE_RE, _CUE_ACTIONS = _compile_cues()


def _word_before(low: str, pos: int) -> tuple[str, int] | None:
    """The word (letters, digits, apostrophes) ending right before the spaces before ``pos``."""
    j = pos - 1
    while j >= 0 and low[j] in " \t":
        j -= 1
    if j == pos - 1 or j < 0:
        return None
    k = j
    while k >= 0 and (low[k].isalnum() or low[k] in "'_."):
        k -= 1
    if k == j:
        return None
    return low[k + 1 : j + 1], k + 1


def _subject_start(
    low: str, pos: int, subjects: frozenset[str], fillers: frozenset[str]
) -> int | None:
    """Start of a first-person subject at most three filler words before ``pos``, or None."""
    for _ in range(4):
        found = _word_before(low, pos)
        if found is None:
            return None
        word, start = found
        if word in subjects:
            return start
        if word not in fillers:
            return None
        pos = start
    return None


def _modifiers_start(low: str, pos: int) -> int:
    """Extend a source noun backward over up to three modifiers ("some external observers")."""
    for _ in range(3):
        found = _word_before(low, pos)
        if found is None or found[0] not in _SOURCE_MODIFIERS:
            break
        pos = found[1]
    return pos


def _same_length_lower(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered.replace("’", "'")
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text).replace("’", "'")


# --------------------------------------------------------------------------------------------
# Topics.

_BUNDLED_LEXICON = Path(__file__).with_name("topics.yaml")
_TOPIC_SEPARATORS = " \t\n\r-\u2010\u2011\u2013"


def load_topic_lexicon(path: str | Path | None = None) -> dict[str, list[str]]:
    """Read a topic lexicon: a YAML mapping ``topics: {name: [term, ...]}``.

    ``None`` reads the lexicon bundled with this package (``topics.yaml``). Returns a new dict
    of topic name to its terms, in file order; raises ``ValueError`` on a malformed file.
    """
    text = Path(_BUNDLED_LEXICON if path is None else path).read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    topics = data.get("topics", data) if isinstance(data, dict) else None
    if not isinstance(topics, dict):
        raise ValueError("topic lexicon must be a mapping of topic name to a list of terms")
    lexicon: dict[str, list[str]] = {}
    for name, terms in topics.items():
        if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
            raise ValueError(f"topic {name!r} must map to a list of strings")
        lexicon[str(name)] = [t.strip() for t in terms if t.strip()]
    return lexicon


def _is_case_sensitive(term: str) -> bool:
    """Short acronyms (<= 6 characters, two or more capitals: AI, EVs, IoT) keep their case."""
    return len(term) <= 6 and sum(c.isupper() for c in term) >= 2


def _squeeze(text: str) -> str:
    """``text`` without spaces and hyphens: the form in which topic terms are compared."""
    for ch in _TOPIC_SEPARATORS:
        text = text.replace(ch, "")
    return text


_Lexicon = tuple[tuple[str, tuple[str, ...]], ...]
_TopicIndex = dict[str, tuple[tuple[str | None, str], ...]]


@lru_cache(maxsize=16)
def _compile_topics(lexicon: _Lexicon) -> tuple[re.Pattern[str] | None, _TopicIndex]:
    """Trie regex over the lower-cased terms, and for each squeezed lower-case key the
    (exact squeezed spelling or None when case-insensitive, topic) pairs it can stand for."""
    index: dict[str, list[tuple[str | None, str]]] = {}
    phrases: set[str] = set()
    for name, terms in lexicon:
        for term in terms:
            lowered = _normalise(term)
            if not lowered:
                continue
            phrases.add(lowered)
            exact = _squeeze(term) if _is_case_sensitive(term) else None
            entry = (exact, name)
            bucket = index.setdefault(_squeeze(lowered), [])
            if entry not in bucket:
                bucket.append(entry)
    if not phrases:
        return None, {}
    body = _trie_regex(sorted(phrases), r"[\s\-\u2010\u2011\u2013]*")
    regex = re.compile(rf"(?<!\w){body}(?!\w)")
    return regex, {key: tuple(entries) for key, entries in index.items()}


@lru_cache(maxsize=1)
def _default_lexicon() -> _Lexicon:
    return _freeze(load_topic_lexicon())


def _freeze(topics: Mapping[str, Sequence[str]]) -> _Lexicon:
    if not isinstance(topics, Mapping):
        raise TypeError("topics must be a mapping of topic name to a list of terms")
    frozen = []
    for name, terms in topics.items():
        if isinstance(terms, str):
            raise TypeError(f"terms of topic {name!r} must be a sequence of strings, not a str")
        frozen.append((str(name), tuple(t for t in (str(x).strip() for x in terms) if t)))
    return tuple(frozen)


# --------------------------------------------------------------------------------------------
# Tagging.

_QUESTION_TAIL = " \t\r\n\"'”’)»]"
_NEXT_IS_NUMBER_RE = re.compile(r"\s+[$€£¥]?\d")


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def _match_cues(sentence: str, low: str, hits: list, fired: set) -> str | None:
    """Add (start, end, rule) for every cue phrase and number in ``sentence`` to ``hits`` and
    the rules to ``fired``; return the attribution source text, if any."""
    actions_for = _CUE_ACTIONS
    source: str | None = None
    covered: list[tuple[int, int]] = []
    for m in _CUE_RE.finditer(low):
        start, end = m.span()
        actions = actions_for.get(m.group())
        if actions is None:
            actions = actions_for.get(_normalise(m.group()), ())
        for rules, check in actions:
            s, e = start, end
            src: tuple[int, int] | None = None
            named = True
            if check is None:
                pass
            elif check == "lower":
                if not sentence[start].islower():
                    continue
            elif check == "upper":
                if not sentence[start].isupper():
                    continue
            elif check == "start":
                if low[:start].strip():
                    continue
            elif check == "fp_opinion" or check == "fp_personal":
                if check == "fp_opinion":
                    subjects, fillers = _FP_OPINION_SUBJECTS, _FP_OPINION_FILLERS
                else:
                    subjects, fillers = _FP_PERSONAL_SUBJECTS, _FP_PERSONAL_FILLERS
                subject = _subject_start(low, start, subjects, fillers)
                if subject is None:
                    continue
                s = subject
            elif check == "num_next":
                if not _NEXT_IS_NUMBER_RE.match(low, end):
                    continue
            elif check == "acc":
                tail = _SOURCE_TAIL_RE.match(low, end)
                if tail is not None:
                    e = tail.end()
                src = (s, e)
            elif check == "back":
                s = _modifiers_start(low, start)
                src = (s, e)
            elif check == "report":
                window = max(0, start - 80)
                if _FIRST_PERSON_BEFORE_RE.search(low, window, start):
                    continue
                subject = _SUBJECT_BEFORE_RE.search(sentence, window, start)
                if subject is not None:
                    src = subject.span("name" if subject.group("name") is not None else "np")
                else:
                    src, named = (s, e), False
            for rule in rules:
                if rule == ATTRIBUTION and src is not None:
                    hits.append((src[0], src[1], rule))
                    if named and source is None:
                        source = sentence[src[0] : src[1]]
                else:
                    hits.append((s, e, rule))
            fired.update(rules)
            covered.append((start, end))
            break

    for m in _NUMBER_RE.finditer(low):
        start, end = m.span()
        if any(s < end and start < e for s, e in covered):
            continue
        rule = QUANTITY
        number, unit = m.group("num"), m.group("unit")
        if (
            len(number) == 4
            and number.isdigit()
            and "1800" <= number <= "2099"
            and unit in (None, "s")
            and start == m.start("num")
        ):
            context = _YEAR_CONTEXT_RE.search(low, max(0, start - 30), start)
            if context is not None:
                start = context.start()
                future_target = context.group("word").startswith("by") and number >= "2020"
                rule = PREDICTION if future_target and unit is None else DATE
            elif unit == "s":
                rule = DATE
        hits.append((start, end, rule))
        fired.add(rule)
    return source


def _match_topics(
    sentence: str, low: str, regex: re.Pattern[str], index: _TopicIndex, hits: list
) -> set[str]:
    found: set[str] = set()
    for m in regex.finditer(low):
        start, end = m.span()
        key = m.group()
        key = _squeeze(key) if not key.isalnum() else key
        exact_text: str | None = None
        for exact, name in index.get(key, ()):
            if exact is not None:
                if exact_text is None:
                    exact_text = _squeeze(sentence[start:end])
                if exact_text != exact:
                    continue
            found.add(name)
            hits.append((start, end, TOPIC_PREFIX + name))
    return found


class _RuleTags:
    """Column lists of the rule tagger for one batch (internal; shared with the trained mode).

    ``low`` is each sentence lower-cased without changing its length; ``hits`` holds every
    fired cue as ``(start, end, rule)`` sorted by start, ``fired`` the rule
    names that fired plus the pseudo-rules ``question``, ``short`` and ``topic``.
    """

    __slots__ = (
        "attributed",
        "checkworthiness",
        "claim_type",
        "fired",
        "hedged",
        "hits",
        "low",
        "topics",
    )

    def __init__(self, n: int) -> None:
        self.claim_type: list[str] = ["not_a_claim"] * n
        self.checkworthiness: list[float] = [0.0] * n
        self.hedged: list[bool] = [False] * n
        self.attributed: list[str | None] = [None] * n
        self.topics: list[list[str]] = [[] for _ in range(n)]
        self.hits: list[list[tuple[int, int, str]]] = [[] for _ in range(n)]
        self.fired: list[frozenset[str]] = [frozenset()] * n
        self.low: list[str] = [""] * n


_PAST_SUBJECTS = r"we|they|he|she|it|we've|they've|he's|she's|it's|who|which|that"
_PAST_STATEMENT_RE = re.compile(
    rf"(?<![\w'])(?:{_PAST_SUBJECTS})(?:\s+(?:have|has|had|also|already|just|recently"
    rf"|finally|successfully|now|even|more\s+than|nearly|since)){{0,2}}\s+"
    rf"(?!(?:need|used|concerned|interested|supposed|pleased|excited|proud|committed"
    rf"|dedicated|determined|convinced|blessed|honored|honoured)\b)[a-z]{{3,}}ed(?![\w'])"
)
"""On the lower-cased sentence: a subject pronoun, an optional perfect auxiliary or adverb,
then a past-tense or past-participle verb ("we've initiated", "they closed", "it changed")."""

_NAMED_STATEMENT_RE = re.compile(
    r"[A-Z](?<![\w'’].)[\w'’.&-]+(?:\s+[A-Z][\w'’.&-]*)*"
    r"\s+(?:is|are|was|were|has|have|had)\s+(?:(?:a|an|the|one|\d[\d,.]*)\b|[a-z]{3,}ed\b)"
)
"""A capitalised name, a verb of being or having, then an article, a number or a participle
("Emily is a graduate", "Ohio has 88 counties"). Starts on function words are skipped."""

_NOT_NAMES = _wordset(
    "I We You It This That These Those There What Who How Why And But So If Now Let Our My"
    " Your Their The A An"
)


def _match_statements(sentence: str, low: str, hits: list, fired: set) -> None:
    """Add a ``statement`` hit for each generic factual statement (see the module docstring)."""
    for m in _PAST_STATEMENT_RE.finditer(low):
        hits.append((m.start(), m.end(), STATEMENT))
        fired.add(STATEMENT)
    pos = 0
    while True:
        m = _NAMED_STATEMENT_RE.search(sentence, pos)
        if m is None:
            return
        first_end = m.start() + 1
        while first_end < m.end() and not sentence[first_end].isspace():
            first_end += 1
        if sentence[m.start() : first_end] in _NOT_NAMES:
            pos = first_end
            continue
        hits.append((m.start(), m.end(), STATEMENT))
        fired.add(STATEMENT)
        pos = m.end()


def _analyse(sentences: Sequence[str], topics: Mapping[str, Sequence[str]] | None) -> _RuleTags:
    """Run every rule over ``sentences``; raise ``TypeError`` on a non-string sentence."""
    if isinstance(sentences, str):
        raise TypeError("tag_claims expects a sequence of sentences, not a single str")
    frozen = _default_lexicon() if topics is None else _freeze(topics)
    topic_re, topic_index = _compile_topics(frozen)

    weights = CHECKWORTHINESS_WEIGHTS
    type_rules = TYPE_RULES
    strong_rules = _STRONG_RULES
    other_rules = TYPE_RULES["other_claim"]

    out = _RuleTags(len(sentences))
    for i, sentence in enumerate(sentences):
        if not isinstance(sentence, str):
            raise TypeError(f"sentence {i} is {type(sentence).__name__}, not str")
        low = out.low[i] = _same_length_lower(sentence)
        hits: list[tuple[int, int, str]] = []
        fired: set[str] = set()
        source = _match_cues(sentence, low, hits, fired)
        _match_statements(sentence, low, hits, fired)
        found_topics = (
            _match_topics(sentence, low, topic_re, topic_index, hits) if topic_re else None
        )
        if hits:
            hits.sort()
            out.hits[i] = hits
        if found_topics:
            out.topics[i] = sorted(found_topics)

        # Claim type.
        question = sentence.rstrip(_QUESTION_TAIL).endswith("?")
        short = len(sentence.split()) < _MIN_WORDS
        boilerplate = BOILERPLATE in fired
        kind = "not_a_claim"
        if not (short or question or boilerplate):
            for candidate in TYPE_PRIORITY:
                if not fired.isdisjoint(type_rules[candidate]):
                    kind = candidate
                    break
            if (
                OPINION in fired
                and kind != "not_a_claim"
                and fired.isdisjoint(strong_rules)
                and (fired & other_rules) <= _SOFT_RULES
            ):
                kind = "not_a_claim"
        out.claim_type[i] = kind

        # Check-worthiness: logistic of the weighted sum of the rules that fired.
        if not (short or boilerplate):
            z = CHECKWORTHINESS_BIAS
            for rule in fired:
                z += weights.get(rule, 0.0)
            if found_topics:
                z += weights["topic"]
            if question:
                z += weights["question"]
            out.checkworthiness[i] = _sigmoid(z)
        out.hedged[i] = HEDGE in fired
        out.attributed[i] = source
        if question:
            fired.add("question")
        if short:
            fired.add("short")
        if found_topics:
            fired.add("topic")
        out.fired[i] = frozenset(fired)
    return out


def _frame(
    is_claim: list[bool],
    claim_type: list[str],
    checkworthiness: Sequence[float],
    verifiable: list[bool],
    tags: _RuleTags,
    evidence: list[list[dict]],
) -> pd.DataFrame:
    n = len(is_claim)
    return pd.DataFrame(
        {
            "is_claim": pd.Series(is_claim, dtype=bool),
            "claim_type": pd.Series(claim_type, dtype=object),
            "checkworthiness": pd.Series(checkworthiness, dtype="float64"),
            "verifiable": pd.Series(verifiable, dtype=bool),
            "hedged": pd.Series(tags.hedged, dtype=bool),
            "attributed_to": pd.Series(tags.attributed, dtype=object),
            "topics": pd.Series(tags.topics, dtype=object),
            "evidence": pd.Series(evidence, dtype=object),
        },
        index=pd.RangeIndex(n),
    )


def tag_claims(
    sentences: Sequence[str],
    *,
    topics: Mapping[str, Sequence[str]] | None = None,
    model: ClaimModel | None = None,
) -> pd.DataFrame:
    """Tag each sentence with its claim type, check-worthiness, hedging, attribution and topics.

    Promises, in both modes:

    * one row per input sentence, in input order, on a ``RangeIndex``; empty input gives an
      empty frame with the same columns and dtypes;
    * columns ``COLUMNS``: ``is_claim`` bool, ``claim_type`` str (one of ``CLAIM_TYPES``),
      ``checkworthiness`` float64 in [0, 1], ``verifiable`` bool, ``hedged`` bool,
      ``attributed_to`` str or None, ``topics`` sorted unique list of topic names, ``evidence``
      list of ``{"rule", "cue", "start", "end"}`` dicts ordered by ``start``;
    * ``sentence[start:end] == cue`` for every evidence item (offsets are ``str`` indices);
    * ``is_claim`` is True exactly when ``claim_type != "not_a_claim"``, and every claim has at
      least one evidence item;
    * ``verifiable`` is True exactly for claims that are not ``personal_experience``;
    * deterministic: the same input always gives the same output.

    Rule mode (``model=None``): the type comes from the cue rules (see the module docstring),
    every claim has an evidence rule in ``TYPE_RULES[claim_type]``, and ``checkworthiness`` is
    the hand-weighted rule score. Decision rules per label sense: for *check-worthy* (as in
    CheckThat!) use ``checkworthiness >= 0.5``; for *verifiable factual claim* (as in PoliClaim
    and AFaCTA) use ``verifiable``.

    Trained mode (``model`` from :func:`pipeline.text.model.train_claim_model` or
    :func:`pipeline.text.model.load_claim_model`): ``checkworthiness`` is the model's
    probability and ``is_claim`` is ``checkworthiness >= model.threshold``; a claim keeps the
    rule type, or ``other_claim`` when the rules found none; the evidence lists the features
    that pushed the score up most, as ``{"rule": "model:<feature>", ...}`` (rule features point
    at their own cues, n-gram features at their occurrence in the sentence). ``hedged``,
    ``attributed_to`` and ``topics`` come from the rules in both modes.

    ``topics`` maps topic names to terms (see ``topics.yaml`` for the matching rules); ``None``
    uses the bundled lexicon. In rule mode, topic terms add evidence items with rule
    ``topic:<name>``. Raises ``TypeError`` if ``sentences`` is a single ``str`` or holds a
    non-string.
    """
    tags = _analyse(sentences, topics)
    if model is not None:
        return model._tag(sentences, tags)
    evidence: list[list[dict]] = [
        [{"rule": rule, "cue": sentence[s:e], "start": s, "end": e} for s, e, rule in hits]
        for sentence, hits in zip(sentences, tags.hits, strict=True)
    ]
    claim_type = tags.claim_type
    is_claim = [kind != "not_a_claim" for kind in claim_type]
    verifiable = [kind != "not_a_claim" and kind != "personal_experience" for kind in claim_type]
    return _frame(is_claim, claim_type, tags.checkworthiness, verifiable, tags, evidence)

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
over the lower-cased sentence, plus one for numbers and one for topic terms. A batch is scanned
as one NUL-joined string (see "Whole-batch scanning" below), rare patterns only in the
sentences an RE2 prefilter keeps; a matched phrase is looked up in tables that say which rules
it fires and which context check (e.g. "preceded by I or we") it needs, and each check is
resolved for all matches of the batch at once. Each match
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

A sentence that no cue has typed yet (and that is no opinion, question, fragment or
boilerplate) is then scanned for two more ``statement`` cues, which mark statements about
named actors and past events: a capitalised word inside the sentence (``_ACTOR_RE``,
"Engineers in Shenzhen describe the change") and a past-tense verb
(``_PAST_EVENT_REVERSED_RE``, "local governments upgraded the parks"). On a fixed random half
of the PoliClaim gold set, sentences without any cue were verifiable claims 42% of the time,
those of them with such a cue 57%, those without 32%; calling the former claims raised the
``verifiable`` F1 from 0.728 to 0.756 on that half, and from 0.738 to 0.756 on the other half,
which was not looked at while choosing. Opinion still wins over them
("I think Shenzhen has changed").

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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import chain, repeat
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
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

FIRED_COLUMNS: tuple[str, ...] = (
    QUANTITY,
    PREDICTION,
    CAUSATION,
    LAW,
    PERSONAL,
    ATTRIBUTION,
    DEFINITION,
    SUPPORT,
    ASSERTION,
    DATE,
    HEDGE,
    OPINION,
    BOILERPLATE,
    STATEMENT,
    "question",
    "short",
    "topic",
)
"""Columns of the per-sentence matrix of fired rules: every evidence rule except topics, then
the pseudo-rules ``question``, ``short`` (fewer than four words) and ``topic`` (any topic)."""

_COLUMN = {name: j for j, name in enumerate(FIRED_COLUMNS)}
_N_RULES = len(FIRED_COLUMNS) - 3
"""Number of evidence rules among ``FIRED_COLUMNS``; their column is also their hit code."""

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
# compiled to a single regular expression, scanned once per batch: this is what keeps the
# tagger fast (a flat alternation of a few thousand phrases is ~50x slower in Python's ``re``).
# The scan itself is cut in two by the character before a match (see ``_StartSplit``).
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

_FIRST_PERSON_BEFORE_RE = re.compile(r"(?<!\w)(?:i|we|you)\s+(?:(?:has|have|had)\s+)?\Z")

_NUMBER_TAIL = (
    r"[\d,]*(?:\.\d+)?(?:\s*(?:%|percent\b|per\s+cent\b|percentage\s+points?\b|pct\b)"
    r"|\s*(?:bn|mn|billion|million|trillion|thousand)\b(?:\s+(?:yuan|dollars|euros|rmb))?"
    r"|\s+(?:yuan|dollars|euros|rmb|gw|gwh|units|tonnes|tons)\b|(?:st|nd|rd|th|s)\b|-fold\b"
    r"|x\b)?"
)
_NUMBER_RE = re.compile(rf"(?:(?<!\w)(?:us|rmb|hk)?[$€£¥]\s?|(?<![\w.,-]))\d{_NUMBER_TAIL}")
"""A number: an optional currency sign (after "us", "rmb" or "hk"), digits with commas and
decimals, and an optional unit ("%", "million", "yuan", "th", "s", ...)."""

_CURRENCY_NUMBER_RE = re.compile(
    r"(?:u(?<!\wu)s[$€£¥]|r(?<!\wr)mb[$€£¥]|h(?<!\wh)k[$€£¥]|\$(?<!\w\$)|€(?<!\w€)|£(?<!\w£)"
    rf"|¥(?<!\w¥))\s?\d{_NUMBER_TAIL}"
)
_BARE_NUMBER_RE = re.compile(rf"\d(?<![\w.,-]\d){_NUMBER_TAIL}")
"""The two alternatives of ``_NUMBER_RE``, each written to start with a literal character or
a digit (the look-behind moved after it), which ``re`` finds much faster than a position
where a look-behind holds. See :func:`_number_spans`."""
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


def _trie_regex(
    phrases: Sequence[str], separator: str, escape: Callable[[str], str] = re.escape
) -> str:
    """One regex alternation for ``phrases`` laid out as a character trie (longest first);
    ``escape`` writes one literal character (Python ``re`` syntax by default)."""
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
                leaves.append(escape(ch))
            else:
                branches.append((separator if ch == " " else escape(ch)) + (below or ""))
        if leaves:
            branches.append(leaves[0] if len(leaves) == 1 else "[" + "".join(leaves) + "]")
        if not branches:
            return None
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root) or "(?!)"


def _re2_literal(ch: str) -> str:
    """``ch`` as a literal in an RE2 pattern."""
    return ch if ch.isascii() and ch.isalnum() else f"\\x{{{ord(ch):x}}}"


_SEPARATOR = "\x00"
"""Joins the sentences of a batch into one string (see "Whole-batch scanning")."""


@dataclass(frozen=True)
class _StartSplit:
    """A pattern ``(?<![W])body`` (no match right after a character of the class ``W``) cut in
    two by the character before a match, because ``re`` finds a class of characters much
    faster than the positions where a look-behind holds: ``after_ascii`` consumes that
    character when it is ASCII or the separator (its match starts one before the body), and
    ``after_other`` keeps the look-behind for the other characters; it is run only on the
    sentences that the RE2 pattern ``prefilter`` keeps (a non-ASCII character right before a
    phrase's first character). See :func:`_word_spans`."""

    after_ascii: re.Pattern[str]
    after_other: re.Pattern[str]
    prefilter: str


def _start_split(
    word: str, body: str, tail: str, phrases: Sequence[str], separator: str
) -> _StartSplit | None:
    """The split of ``(?<![word])body tail``, whose ``body`` matches ``phrases`` (``word`` is
    the inside of a character class). None when a phrase ends with a character that
    ``after_ascii`` consumes: a match right after such a phrase would then be missed."""
    consumed = {c for c in map(chr, range(128)) if not re.match(f"[{word}]", c)} | {separator}
    if any(phrase[-1] in consumed for phrase in phrases):
        return None
    before = "".join(map(re.escape, sorted(consumed)))
    first = "".join(map(_re2_literal, sorted({phrase[0] for phrase in phrases})))
    return _StartSplit(
        after_ascii=re.compile(f"[{before}]{body}{tail}"),
        after_other=re.compile(f"(?<![{word}\\x00-\\x7f{re.escape(separator)}]){body}{tail}"),
        prefilter=f"[^\\x{{0}}-\\x{{7f}}][{first}]",
    )


_NAME_CONNECTORS = "of|for|and|de|van|von"
_NAME = (
    r"(?<![\w'’.&-])(?!(?:I|We|You|It|There|This|That|These|Those|What|When|Who|And|But|So"
    rf"|As|If|In|On|At|The)\b)[A-Z][\w'’.&-]*(?:\s+(?:[A-Z][\w'’.&-]*|{_NAME_CONNECTORS}))"
    r"{0,4}"
)
_SOURCE_NOUNS = (
    "government|ministry|authorities|regulator|regulators|state council|state media|xinhua"
    "|commission|administration|bureau|white house|central bank|company|firm|group|agency"
    "|department|office|spokesman|spokeswoman|spokesperson|official|officials|analyst"
    "|analysts|expert|experts|economist|economists|researcher|researchers|scientist"
    "|scientists|sources|observers|media|report|study|survey|data|he|she|they"
)
_INSTITUTION = (
    r"(?<!\w)(?:(?:the|its|their|our|a|an)\s+)?(?:(?:"
    + _trie_regex(sorted(_SOURCE_MODIFIERS - {"the"}), r"\s+")
    + r")\s+){0,3}(?:"
    + _trie_regex(_SOURCE_NOUNS.split("|"), r"\s+")
    + ")"
)
_SUBJECT_BEFORE_RE = re.compile(
    rf"\b(?:(?P<name>{_NAME})|(?P<np>(?i:{_INSTITUTION})))"
    rf"\s*,?\s+(?:(?:{_REPORT_FILLERS})\s+)?\Z"
)
"""The subject of a reporting verb, right before it: a capitalised name or a source phrase.
Modifiers and nouns are tries, and the leading ``\\b`` (which every match start meets)
lets ``re`` skip positions inside words quickly: both keep the matches of a plain
alternation, as a match must end right before the verb."""


def _reversed_words(words: str) -> str:
    return "|".join(word[::-1] for word in words.split("|"))


_SUBJECT_END_REVERSED_RE = re.compile(
    rf"(?:\s+(?:{_reversed_words(_REPORT_FILLERS)}))?\s+,?\s*(?:[\w'’.&-]*[A-Z](?![\w'’.&-])"
    rf"|(?:{_reversed_words(_NAME_CONNECTORS)})(?![\w'’.&-])|(?i:"
    + _trie_regex(sorted(_reversed_words(_SOURCE_NOUNS).split("|")), r"\s+")
    + r")(?!\w))"
)
"""On the *reversed* text at a reporting verb: the end of what ``_SUBJECT_BEFORE_RE`` needs
right before it, read backwards (fillers, comma and spaces, then a last word that is
capitalised, a name connector, or a source noun). Where it does not match, neither does the
much slower ``_SUBJECT_BEFORE_RE``."""


_Action = tuple[tuple[str, ...], str | None]
"""(rules fired, check) of one cue family."""


_CHECKS: tuple[str | None, ...] = (
    None,
    "lower",
    "upper",
    "start",
    "fp_opinion",
    "fp_personal",
    "num_next",
    "acc",
    "back",
    "report",
)
"""Context checks of the cue families; an action stores the index of its check here."""


@dataclass(frozen=True)
class _CueTables:
    """The compiled cue lexicon: the trie regex and, per phrase, its actions as arrays.

    ``phrase_id`` maps a normalised phrase to its row; the actions of phrase ``p`` are rows
    ``first_action[p] .. first_action[p] + n_actions[p] - 1`` of ``action_check`` (index into
    ``_CHECKS``) and ``action_rules`` (rule columns, -1 padded), in family order.
    """

    regex: re.Pattern[str]
    split: _StartSplit | None
    phrase_id: dict[str, int]
    first_action: np.ndarray
    n_actions: np.ndarray
    action_check: np.ndarray
    action_rules: np.ndarray


def _compile_cues() -> _CueTables:
    actions: dict[str, list[_Action]] = {}
    for rules, check, spec in _FAMILIES:
        for phrase in _expand(spec):
            bucket = actions.setdefault(phrase, [])
            if (rules, check) not in bucket:
                bucket.append((rules, check))
    body = _trie_regex(sorted(actions), r"[\s\-]+")
    phrase_id = {phrase: i for i, phrase in enumerate(actions)}
    flat = [action for acts in actions.values() for action in acts]
    counts = [len(acts) for acts in actions.values()]
    width = max(len(rules) for rules, _ in flat)
    action_rules = np.full((len(flat), width), -1, dtype=np.int64)
    for a, (rules, _) in enumerate(flat):
        action_rules[a, : len(rules)] = [_COLUMN[rule] for rule in rules]
    return _CueTables(
        regex=re.compile(rf"(?<![\w']){body}(?![\w'])"),
        split=_start_split(r"\w'", body, r"(?![\w'])", list(actions), _SEPARATOR),
        phrase_id=phrase_id,
        first_action=np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64),
        n_actions=np.asarray(counts, dtype=np.int64),
        action_check=np.asarray([_CHECKS.index(check) for _, check in flat], dtype=np.int64),
        action_rules=action_rules,
    )


_CUES = _compile_cues()


def _subject_before_regex(subjects: frozenset[str], fillers: frozenset[str]) -> re.Pattern[str]:
    """Matched on the *reversed* text at the reversed position of a cue: spaces or tabs, up to
    three filler words each followed by spaces or tabs, then a subject word, trying the
    nearest subject first. Words are maximal runs of letters, digits and ``'_.``, as in
    :func:`_word_before`; the match ends where the subject starts."""
    subject = "|".join(re.escape(w[::-1]) for w in sorted(subjects, key=len, reverse=True))
    filler = "|".join(re.escape(w[::-1]) for w in sorted(fillers, key=len, reverse=True))
    return re.compile(rf"[ \t]+(?:(?:{filler})[ \t]+){{0,3}}?(?:{subject})(?![\w'.])")


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
_TopicIndex = dict[str, tuple[tuple[str | None, int], ...]]


@dataclass(frozen=True)
class _TopicTables:
    """A compiled topic lexicon: ``regex`` finds terms in the lower-cased sentence, ``index``
    maps each squeezed lower-case key to its (exact squeezed spelling or None when
    case-insensitive, index in ``names``) pairs, ``names`` holds the distinct topic names and
    ``name_rank`` the rank of each in sorted order, and ``prefilter`` is an RE2 pattern that
    matches every sentence in which ``regex`` can match, and some more (RE2's ``\\w`` is
    ASCII-only, so its ``[^\\w]`` accepts every character that Python's ``(?<!\\w)``
    accepts). ``separator`` is a character that ``regex`` can neither match nor see as part of
    a word (NUL unless a term holds one), to join sentences by; ``split`` is ``regex`` cut in
    two for speed (None when it cannot be)."""

    regex: re.Pattern[str]
    split: _StartSplit | None
    index: _TopicIndex
    names: tuple[str, ...]
    name_rank: np.ndarray
    prefilter: str
    separator: str


_TOPIC_SEPARATOR_CLASS = r"[\s\-\u2010\u2011\u2013]"


@lru_cache(maxsize=16)
def _compile_topics(lexicon: _Lexicon) -> _TopicTables | None:
    """The compiled ``lexicon``, or None when it holds no term."""
    index: dict[str, list[tuple[str | None, int]]] = {}
    names: dict[str, int] = {}
    phrases: set[str] = set()
    for name, terms in lexicon:
        for term in terms:
            lowered = _normalise(term)
            if not lowered:
                continue
            phrases.add(lowered)
            exact = _squeeze(term) if _is_case_sensitive(term) else None
            entry = (exact, names.setdefault(name, len(names)))
            bucket = index.setdefault(_squeeze(lowered), [])
            if entry not in bucket:
                bucket.append(entry)
    if not phrases:
        return None
    body = _trie_regex(sorted(phrases), _TOPIC_SEPARATOR_CLASS + "*")
    loose = _trie_regex(sorted(phrases), _re2_class(_TOPIC_SEPARATOR_CLASS) + "*", _re2_literal)
    used = set().union(*phrases)
    separator = next(
        c
        for c in map(chr, range(0x110000))
        if c not in used and not re.match(rf"\w|{_TOPIC_SEPARATOR_CLASS}", c)
    )
    name_rank = np.empty(len(names), dtype=np.int64)
    name_rank[sorted(range(len(names)), key=list(names).__getitem__)] = np.arange(len(names))
    return _TopicTables(
        regex=re.compile(rf"(?<!\w){body}(?!\w)"),
        split=_start_split(r"\w", body, r"(?!\w)", sorted(phrases), separator),
        index={key: tuple(entries) for key, entries in index.items()},
        names=tuple(names),
        name_rank=name_rank,
        prefilter=rf"(?:^|[^\w])(?:{loose})(?:[^\w]|$)",
        separator=separator,
    )


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
# Whole-batch scanning.
#
# A batch is scanned as one string: the sentences joined by NUL. No pattern of this module can
# consume a NUL and every look-around treats it like the edge of the string (it is neither a
# word character, nor a space, nor a hyphen), so a match in the joined text is exactly a match
# in its own sentence (topic terms, which may hold a NUL, use another separator). Rare
# patterns are first tried on the whole batch by RE2 (through pyarrow.compute) with a looser
# pattern that matches every sentence the exact Python pattern can match; only the sentences
# it keeps are scanned by ``re``. Matches are read as arrays of offsets (``_spans``), never
# kept as match objects, and hits are added as arrays (``_Hits.extend``).

_QUESTION_TAIL = " \t\r\n\"'”’)»]"
_NEXT_IS_NUMBER_RE = re.compile(r"\s+[$€£¥]?\d")

_FP_SUBJECT_BEFORE = {
    _CHECKS.index("fp_opinion"): _subject_before_regex(_FP_OPINION_SUBJECTS, _FP_OPINION_FILLERS),
    _CHECKS.index("fp_personal"): _subject_before_regex(
        _FP_PERSONAL_SUBJECTS, _FP_PERSONAL_FILLERS
    ),
}


@lru_cache(maxsize=1)
def _all_characters() -> str:
    return "".join(map(chr, range(0x110000)))


@lru_cache(maxsize=16)
def _re2_class(python_class: str) -> str:
    """An RE2 character class holding exactly the characters that ``python_class`` (one Python
    ``re`` character class such as ``\\s`` or ``[\\w'.]``) matches, surrogates excepted."""
    ranges: list[str] = []
    for m in re.finditer(f"(?:{python_class})+", _all_characters()):
        spans = [(m.start(), m.end() - 1)]
        if m.start() <= 0xDFFF and m.end() > 0xD800:
            spans = [(m.start(), 0xD7FF), (0xE000, m.end() - 1)]
        ranges.extend(
            f"\\x{{{a:x}}}" if a == b else f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in spans if a <= b
        )
    return "[" + "".join(ranges) + "]" if ranges else "[^\\x{0}-\\x{10ffff}]"


_PAST_SUBJECTS = "we|they|he|she|it|we've|they've|he's|she's|it's|who|which|that"
_PAST_FILLERS = (
    "have|has|had|also|already|just|recently|finally|successfully|now|even|more than|nearly|since"
)
_PAST_FILLERS_RE = _PAST_FILLERS.replace(" ", r"\s+")
_PAST_STATEMENT_RE = re.compile(
    rf"(?<![\w'])(?:{_PAST_SUBJECTS})(?:\s+(?:{_PAST_FILLERS_RE})){{0,2}}"
    rf"\s+(?!(?:need|used|concerned|interested|supposed|pleased|excited|proud"
    rf"|committed|dedicated|determined|convinced|blessed|honored|honoured)\b)[a-z]{{3,}}ed"
    rf"(?![\w'])"
)
"""On the lower-cased sentence: a subject pronoun, an optional perfect auxiliary or adverb,
then a past-tense or past-participle verb ("we've initiated", "they closed", "it changed")."""

_NAMED_STATEMENT_RE = re.compile(
    r"[A-Z](?<![\w'’].)[\w'’.&-]+(?:\s+[A-Z][\w'’.&-]*)*"
    r"\s+(?:is|are|was|were|has|have|had)\s+(?:(?:a|an|the|one|\d[\d,.]*)\b|[a-z]{3,}ed\b)"
)
"""A capitalised name, a verb of being or having, then an article, a number or a participle
("Emily is a graduate", "Ohio has 88 counties"). Starts on function words are skipped."""

_ACTOR_RE = re.compile(r"[A-Z](?<=[a-z\d,;:][ \t][A-Z])(?!(?<=I)\b)(?:[\w'’&-]|\.(?=\w))*")
"""On the sentence: a capitalised word inside a sentence, after a lower-case word, a digit or
a comma, so neither the first word nor "I": a named actor ("Connecticut", "IBM"). Written to
start with its first letter, which ``re`` finds much faster than a leading look-behind."""

_PARTICIPLE_ADJECTIVES = (
    "need|indeed|proceed|succeed|exceed|hundred|speed|seed|breed|greed|sacred|wicked|beloved"
    "|naked|rugged|used|concerned|interested|supposed|pleased|excited|committed|dedicated"
    "|determined|convinced|blessed|honored|honoured|talented|skilled|qualified|advanced"
    "|detailed|limited|united|related|based|prepared|inspired|sophisticated|coordinated"
    "|focused|experienced|renowned|unprecedented"
)
_PAST_EVENT_REVERSED_RE = re.compile(
    r"de(?<![\w']de)(?!(?:"
    + "|".join(re.escape(word[::-1][2:]) for word in _PARTICIPLE_ADJECTIVES.split("|"))
    + r")(?![\w']))[a-z]{3,}+(?![\w'])"
)
"""On the *reversed* lower-cased sentence (so that ``re`` can look for the literal "de"
first): a past-tense or past-participle verb, a word of three or more letters a-z plus "ed"
("we hosted", "funding was approved"), except participles mostly used as adjectives
("dedicated", "advanced") and words that merely end in "ed" ("indeed", "hundred")."""

_NOT_NAMES = _wordset(
    "I We You It This That These Those There What Who How Why And But So If Now Let Our My"
    " Your Their The A An"
)


@lru_cache(maxsize=1)
def _prefilters() -> dict[str, str]:
    """RE2 patterns that match every sentence in which the exact patterns can match: the same
    patterns without look-arounds and word boundaries, with Python's character classes (or,
    for the characters of a name, any non-space). Two are exact rather than loose:
    ``question`` (the sentence ends in "?" before closing quotes and brackets) and
    ``enough_words`` (it has at least ``_MIN_WORDS`` whitespace-separated words)."""
    space, digit = _re2_class(r"\s"), _re2_class(r"\d")
    name_char = "[^" + space[1:]
    fillers = _PAST_FILLERS.replace(" ", space + "+")
    return {
        "digit": digit,
        "past": rf"(?:{_PAST_SUBJECTS})(?:{space}+(?:{fillers})){{0,2}}{space}+"
        rf"[a-z]{{3,}}ed",
        "question": r"\?[" + "".join(map(_re2_literal, _QUESTION_TAIL)) + "]*$",
        "enough_words": f"{name_char}+(?:{space}+{name_char}+){{{_MIN_WORDS - 1}}}",
        "named": rf"[A-Z]{name_char}+(?:{space}+[A-Z]{name_char}*)*{space}+"
        rf"(?:is|are|was|were|has|have|had){space}+(?:a|an|the|one|{digit}|[a-z]{{3}})",
    }


def _matches(array: pa.Array, pattern: str) -> np.ndarray:
    """Whether the RE2 ``pattern`` matches in each row of ``array``."""
    found = pc.match_substring_regex(array, pattern)
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)


def _candidates(array: pa.Array | None, pattern: str, n: int) -> list[int]:
    """Rows of ``array`` in which the RE2 ``pattern`` matches; every row when ``array`` is None
    (text that Arrow cannot hold, such as lone surrogates)."""
    if array is None:
        return list(range(n))
    return np.flatnonzero(_matches(array, pattern)).tolist()


def _arrow_strings(texts: list[str]) -> pa.Array | None:
    try:
        return pa.array(texts, pa.large_string())
    except (UnicodeEncodeError, pa.ArrowException):
        return None


class _Hits:
    """Evidence hits collected while scanning: joined-text offsets and an integer rule code
    (a ``FIRED_COLUMNS`` index below ``_N_RULES``, or ``_N_RULES + k`` for the k-th topic)."""

    def __init__(self) -> None:
        self.arrays: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def extend(self, start: np.ndarray, end: np.ndarray, code: np.ndarray) -> None:
        self.arrays.append((start, end, code))

    def collect(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        empty = np.zeros(0, dtype=np.int64)
        return tuple(
            np.concatenate([empty, *(part[k] for part in self.arrays)]).astype(np.int64)
            for k in range(3)
        )


@dataclass
class _Batch:
    """One batch of sentences: the texts, their same-length lower-cased forms, both joined by
    NUL, the offset of each sentence in the joined text, and Arrow copies for RE2 (None when
    Arrow cannot hold the text)."""

    texts: list[str]
    lows: list[str]
    joined: str
    joined_low: str
    offsets: np.ndarray
    arrow: pa.Array | None
    arrow_low: pa.Array | None

    @cached_property
    def reversed(self) -> str:
        return self.joined[::-1]

    @cached_property
    def reversed_low(self) -> str:
        return self.joined_low[::-1]

    @classmethod
    def of(cls, texts: list[str], arrow: pa.Array | None) -> _Batch:
        lows = [_same_length_lower(t) for t in texts]
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        offsets = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(lengths + 1, out=offsets[1:])
        return cls(
            texts=texts,
            lows=lows,
            joined=_SEPARATOR.join(texts),
            joined_low=_SEPARATOR.join(lows),
            offsets=offsets,
            arrow=arrow if arrow is not None else _arrow_strings(texts),
            arrow_low=_arrow_strings(lows),
        )

    def row_of(self, positions: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.offsets, positions, side="right") - 1


def _scan_cues(
    batch: _Batch, hits: _Hits, fired: np.ndarray, source: list[str | None]
) -> tuple[np.ndarray, np.ndarray]:
    """Add the hits of every cue phrase, mark their rules in ``fired`` and set ``source``;
    return the joined-text spans of the cue matches that fired (numbers inside them are not
    read again).

    For each match, the first action of its phrase whose check passes fires its rules: all
    matches are resolved one action level at a time, each check for all of them at once."""
    cues = _CUES
    joined, joined_low = batch.joined, batch.joined_low
    m_start, m_end = _word_spans(cues.regex, cues.split, batch, _Joined.lows_of(batch))
    k = len(m_start)
    keys = list(map(joined_low.__getitem__, map(slice, m_start.tolist(), m_end.tolist())))
    pid = np.fromiter(map(cues.phrase_id.get, keys, repeat(-1, k)), dtype=np.int64, count=k)
    for i in np.flatnonzero(pid < 0).tolist():
        pid[i] = cues.phrase_id.get(_normalise(keys[i]), -1)
    rows = batch.row_of(m_start)
    row_start = batch.offsets[rows]
    s_out = m_start.copy()
    src_start = np.full(k, -1, dtype=np.int64)
    src_end = np.full(k, -1, dtype=np.int64)
    named = np.zeros(k, dtype=bool)
    chosen = np.full(k, -1, dtype=np.int64)

    pending = np.flatnonzero(pid >= 0)
    level = 0
    while pending.size:
        action = cues.first_action[pid[pending]] + level
        checks = cues.action_check[action]
        ok = np.zeros(len(pending), dtype=bool)
        for check in np.unique(checks).tolist():
            sel = np.flatnonzero(checks == check)
            idx = pending[sel]
            starts, ends = m_start[idx].tolist(), m_end[idx].tolist()
            name = _CHECKS[check]
            if name is None:
                ok[sel] = True
            elif name in ("lower", "upper"):
                test = str.islower if name == "lower" else str.isupper
                ok[sel] = [test(joined[p]) for p in starts]
            elif name == "start":
                ok[sel] = [
                    not joined_low[a:b].strip()
                    for a, b in zip(row_start[idx].tolist(), starts, strict=True)
                ]
            elif name in ("fp_opinion", "fp_personal"):
                before, size = _FP_SUBJECT_BEFORE[check].match, len(joined_low)
                subjects = [before(batch.reversed_low, size - p) for p in starts]
                passed = np.asarray([m is not None for m in subjects], dtype=bool)
                ok[sel] = passed
                s_out[idx[passed]] = [size - m.end() for m in subjects if m is not None]
            elif name == "num_next":
                ok[sel] = [_NEXT_IS_NUMBER_RE.match(joined_low, e) is not None for e in ends]
            elif name == "acc":
                tails = (_SOURCE_TAIL_RE.match(joined_low, e) for e in ends)
                ok[sel], named[idx], src_start[idx] = True, True, starts
                src_end[idx] = [
                    e if t is None else t.end() for e, t in zip(ends, tails, strict=True)
                ]
            elif name == "back":
                s_out[idx] = [_modifiers_start(joined_low, p) for p in starts]
                ok[sel], named[idx], src_start[idx], src_end[idx] = True, True, s_out[idx], ends
            else:
                windows = np.maximum(row_start[idx], m_start[idx] - 80).tolist()
                size = len(joined)
                for j, i, window, start, end in zip(
                    sel.tolist(), idx.tolist(), windows, starts, ends, strict=True
                ):
                    if _FIRST_PERSON_BEFORE_RE.search(joined_low, window, start):
                        continue
                    ok[j] = True
                    subject = None
                    if _SUBJECT_END_REVERSED_RE.match(batch.reversed, size - start):
                        subject = _SUBJECT_BEFORE_RE.search(joined, window, start)
                    if subject is None:
                        src_start[i], src_end[i] = start, end
                    else:
                        group = "name" if subject.group("name") is not None else "np"
                        src_start[i], src_end[i] = subject.span(group)
                        named[i] = True
        chosen[pending[ok]] = action[ok]
        rest = pending[~ok]
        pending = rest[cues.n_actions[pid[rest]] > level + 1]
        level += 1

    done = np.flatnonzero(chosen >= 0)
    attributed = done[named[done]]
    first = np.unique(rows[attributed], return_index=True)[1]
    for r, a, b in zip(
        rows[attributed[first]].tolist(),
        src_start[attributed[first]].tolist(),
        src_end[attributed[first]].tolist(),
        strict=True,
    ):
        source[r] = joined[a:b]
    rules = cues.action_rules[chosen[done]]
    for c in range(rules.shape[1]):
        has = rules[:, c] >= 0
        which, code = done[has], rules[has, c]
        use_src = (code == _COLUMN[ATTRIBUTION]) & (src_start[which] >= 0)
        hits.extend(
            np.where(use_src, src_start[which], s_out[which]),
            np.where(use_src, src_end[which], m_end[which]),
            code,
        )
        fired[rows[which], code] = True
    return m_start[done], m_end[done]


@dataclass
class _Joined:
    """Some sentences of a batch joined into one string by ``separator``: ``rows[i]`` is the
    batch row of the ``i``-th, ``starts[i]`` its start in ``text`` and ``shifts[i]`` what turns
    an offset in it into an offset in the whole batch."""

    text: str
    rows: np.ndarray
    starts: np.ndarray
    shifts: np.ndarray
    separator: str

    @classmethod
    def of(
        cls, texts: list[str], rows: list[int], offsets: np.ndarray, separator: str = _SEPARATOR
    ) -> _Joined:
        """``texts[r]`` for ``r`` in ``rows``; ``offsets`` are those of the whole batch."""
        index = np.asarray(rows, dtype=np.int64)
        lengths = offsets[index + 1] - offsets[index] - 1
        starts = np.zeros(len(index), dtype=np.int64)
        np.cumsum(lengths[:-1] + 1, out=starts[1:])
        text = separator.join(map(texts.__getitem__, rows))
        return cls(text, index, starts, offsets[index] - starts, separator)

    @classmethod
    def lows_of(cls, batch: _Batch) -> _Joined:
        """All the lower-cased sentences of ``batch``: its ``joined_low``."""
        n = len(batch.texts)
        shifts = np.zeros(n, dtype=np.int64)
        return cls(batch.joined_low, np.arange(n), batch.offsets[:-1], shifts, _SEPARATOR)

    def index_of(self, positions: np.ndarray) -> np.ndarray:
        """The index in ``rows`` of the sentence holding each position of ``text``."""
        return np.searchsorted(self.starts, positions, side="right") - 1

    def in_batch(self, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Spans of ``text`` as offsets in the whole batch."""
        shift = self.shifts[self.index_of(start)]
        return start + shift, end + shift

    def add(
        self, hits: _Hits, fired: np.ndarray, start: np.ndarray, end: np.ndarray, code: int
    ) -> None:
        """Add hits of rule ``code`` at spans of ``text`` and mark the rule in ``fired``."""
        k = self.index_of(start)
        hits.extend(start + self.shifts[k], end + self.shifts[k], np.full(len(k), code))
        fired[self.rows[k], code] = True


def _spans(regex: re.Pattern[str], text: str) -> tuple[np.ndarray, np.ndarray]:
    """Start and end of every match of ``regex`` in ``text`` (no match object is kept, which
    is much faster than a list of matches)."""
    flat = np.fromiter(chain.from_iterable(map(re.Match.span, regex.finditer(text))), np.int64)
    return flat[0::2], flat[1::2]


def _word_spans(
    regex: re.Pattern[str], split: _StartSplit | None, batch: _Batch, joined: _Joined
) -> tuple[np.ndarray, np.ndarray]:
    """The spans, as offsets in the whole batch, of the matches of ``regex`` in ``joined``
    (lower-cased sentences of ``batch``), found with ``split`` when there is one.

    A match that starts after an ASCII character or at a sentence start is found by
    ``split.after_ascii`` over the whole text, the others by ``split.after_other`` in the few
    sentences its prefilter keeps. In a sentence where no two of them overlap, they are the
    matches of ``regex``; a sentence where two do (a match running over the start of another,
    as in "“second-largest") is scanned again by ``regex`` itself."""
    if split is None:
        return joined.in_batch(*_spans(regex, joined.text))
    separator = joined.separator
    start, end = _spans(split.after_ascii, separator + joined.text)
    start, end = joined.in_batch(start, end - 1)
    if joined.text.isascii():
        return start, end
    n = len(batch.texts)
    rows = np.intersect1d(joined.rows, _candidates(batch.arrow_low, split.prefilter, n))
    other = _Joined.of(batch.lows, rows.tolist(), batch.offsets, separator)
    other_start, other_end = _spans(split.after_other, separator + other.text)
    if not len(other_start):
        return start, end
    other_start, other_end = other.in_batch(other_start - 1, other_end - 1)
    start, end = np.concatenate((start, other_start)), np.concatenate((end, other_end))
    order = np.argsort(start, kind="stable")
    start, end = start[order], end[order]
    clash = np.flatnonzero(start[1:] < end[:-1])
    if not clash.size:
        return start, end
    rows = np.unique(batch.row_of(start[clash]))
    keep = ~np.isin(batch.row_of(start), rows)
    again = _Joined.of(batch.lows, rows.tolist(), batch.offsets, separator)
    again_start, again_end = again.in_batch(*_spans(regex, again.text))
    start = np.concatenate((start[keep], again_start))
    end = np.concatenate((end[keep], again_end))
    order = np.argsort(start, kind="stable")
    return start[order], end[order]


def _number_spans(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The spans of the matches of ``_NUMBER_RE`` in ``text``, found with its two faster
    halves: a bare number that ends a currency match is that match's own number, and once
    those are dropped the two lists of matches, laid together, are the matches of
    ``_NUMBER_RE`` unless two of them overlap (a unit followed by a sign, as in "5 rmb$6");
    ``_NUMBER_RE`` itself is run then."""
    sign_start, sign_end = _spans(_CURRENCY_NUMBER_RE, text)
    start, end = _spans(_BARE_NUMBER_RE, text)
    c = np.searchsorted(sign_start, start, side="right") - 1
    own = c >= 0
    own[own] = sign_end[c[own]] == end[own]
    start = np.concatenate((sign_start, start[~own]))
    end = np.concatenate((sign_end, end[~own]))
    order = np.argsort(start, kind="stable")
    start, end = start[order], end[order]
    if np.any(start[1:] < end[:-1]):
        return _spans(_NUMBER_RE, text)
    return start, end


def _scan_numbers(
    batch: _Batch, hits: _Hits, fired: np.ndarray, covered: tuple[np.ndarray, np.ndarray]
) -> None:
    """Add a quantity, date or prediction hit for every number not inside a fired cue. Only
    the sentences holding a digit are scanned, joined as in the whole batch.

    Only year candidates are looked at one by one: matches of four digits from 1800 to 2099,
    alone or followed by "s" (such a match has no currency sign and no other unit)."""
    rows = _candidates(batch.arrow_low, _prefilters()["digit"], len(batch.texts))
    joined = _Joined.of(batch.lows, rows, batch.offsets)
    text = joined.text
    start, end = _number_spans(text)
    k = joined.index_of(start)
    delta = joined.shifts[k]
    cover_start, cover_end = covered
    c = np.searchsorted(cover_start, end + delta) - 1
    inside = c >= 0
    inside[inside] = cover_end[c[inside]] > (start + delta)[inside]
    start, end, k, delta = start[~inside], end[~inside], k[~inside], delta[~inside]
    code = np.full(len(start), _COLUMN[QUANTITY], dtype=np.int64)
    width = end - start
    years = np.flatnonzero((width == 4) | (width == 5))
    windows = np.maximum(joined.starts[k[years]], start[years] - 30)
    for j, a, b, window in zip(
        years.tolist(), start[years].tolist(), end[years].tolist(), windows.tolist(), strict=True
    ):
        number, unit = text[a : a + 4], text[a + 4 : b] or None
        if not (number.isdigit() and "1800" <= number <= "2099" and unit in (None, "s")):
            continue
        context = _YEAR_CONTEXT_RE.search(text, window, a)
        if context is not None:
            start[j] = context.start()
            future_target = context.group("word").startswith("by") and number >= "2020"
            code[j] = _COLUMN[PREDICTION if future_target and unit is None else DATE]
        elif unit == "s":
            code[j] = _COLUMN[DATE]
    hits.extend(start + delta, end + delta, code)
    fired[joined.rows[k], code] = True


def _scan_statements(batch: _Batch, hits: _Hits, fired: np.ndarray) -> None:
    """Add a ``statement`` hit for each generic factual statement (see the module docstring).
    The sentences each prefilter keeps are scanned as one string, as in the whole batch."""
    n = len(batch.texts)
    joined = _Joined.of(
        batch.lows, _candidates(batch.arrow_low, _prefilters()["past"], n), batch.offsets
    )
    joined.add(hits, fired, *_spans(_PAST_STATEMENT_RE, joined.text), _COLUMN[STATEMENT])

    joined = _Joined.of(
        batch.texts, _candidates(batch.arrow, _prefilters()["named"], n), batch.offsets
    )
    text, found, pos = joined.text, [], 0
    while (m := _NAMED_STATEMENT_RE.search(text, pos)) is not None:
        first_end = m.start() + 1
        while first_end < m.end() and not text[first_end].isspace():
            first_end += 1
        if text[m.start() : first_end] in _NOT_NAMES:
            pos = first_end
            continue
        found.append(m.span())
        pos = m.end()
    spans = np.asarray(found, dtype=np.int64).reshape(-1, 2)
    joined.add(hits, fired, spans[:, 0], spans[:, 1], _COLUMN[STATEMENT])


def _question_and_short(batch: _Batch) -> tuple[np.ndarray, np.ndarray]:
    """Which sentences are questions (end in "?" before closing quotes and brackets) and which
    have fewer than ``_MIN_WORDS`` words, by RE2 on the whole batch when Arrow holds it."""
    if batch.arrow is None:
        texts = batch.texts
        question = [t.rstrip(_QUESTION_TAIL).endswith("?") for t in texts]
        short = [len(t.split(None, _MIN_WORDS - 1)) < _MIN_WORDS for t in texts]
        return np.asarray(question, dtype=bool), np.asarray(short, dtype=bool)
    patterns = _prefilters()
    return (
        _matches(batch.arrow, patterns["question"]),
        ~_matches(batch.arrow, patterns["enough_words"]),
    )


def _scan_actors(batch: _Batch, hits: _Hits, fired: np.ndarray, rows: list[int]) -> None:
    """Add a ``statement`` hit for each named actor and past-tense verb in sentences ``rows``
    (see "Generic factual statements" in the module docstring), all scanned as one string."""
    joined = _Joined.of(batch.texts, rows, batch.offsets)
    names = _spans(_ACTOR_RE, joined.text)
    size = len(joined.text)
    verb_end, verb_start = _spans(
        _PAST_EVENT_REVERSED_RE, _SEPARATOR.join([batch.lows[r] for r in rows])[::-1]
    )
    start = np.concatenate((names[0], size - verb_start))
    end = np.concatenate((names[1], size - verb_end))
    joined.add(hits, fired, start, end, _COLUMN[STATEMENT])


def _scan_topics(
    batch: _Batch, tables: _TopicTables | None, hits: _Hits, fired: np.ndarray
) -> tuple[np.ndarray, list[str], list[str]]:
    """Add a ``topic:<name>`` hit for every topic term and mark ``topic`` in ``fired``; return
    each sentence's sorted topics as ``values[bounds[i]:bounds[i + 1]]`` in (``bounds``,
    ``values``), and the topic names whose hit code is ``_N_RULES + k``, in order of their
    first hit.

    The sentences the prefilter keeps are scanned as one string, joined by
    ``tables.separator``. Each distinct matched spelling is looked up once; only matches of
    case-sensitive terms are compared with the sentence's own spelling, one by one."""
    none = np.zeros(len(batch.texts) + 1, dtype=np.int64), [], []
    if tables is None:
        return none
    rows = _candidates(batch.arrow_low, tables.prefilter, len(batch.texts))
    joined = _Joined.of(batch.lows, rows, batch.offsets, tables.separator)
    start, end = _word_spans(tables.regex, tables.split, batch, joined)
    low = batch.joined_low
    keys = list(map(low.__getitem__, map(slice, start.tolist(), end.tolist())))
    spellings = {key: i for i, key in enumerate(dict.fromkeys(keys))}
    spelling = np.fromiter(map(spellings.__getitem__, keys), dtype=np.int64, count=len(keys))
    match_row = batch.row_of(start)
    entries = [tables.index.get(key if key.isalnum() else _squeeze(key), ()) for key in spellings]
    exact = [e for es in entries for e, _ in es]
    topic = np.fromiter((t for es in entries for _, t in es), dtype=np.int64, count=len(exact))

    # One row per (match, entry of its spelling), in match order, then entry order.
    n_entries = np.fromiter(map(len, entries), dtype=np.int64, count=len(entries))
    per_match = n_entries[spelling]
    match = np.repeat(np.arange(len(start)), per_match)
    entry = np.arange(len(match)) + np.repeat(
        (np.cumsum(n_entries) - n_entries)[spelling] - (np.cumsum(per_match) - per_match),
        per_match,
    )
    keep = np.ones(len(match), dtype=bool)
    check = np.flatnonzero(np.asarray([e is not None for e in exact], dtype=bool)[entry])
    keep[check] = [
        _squeeze(batch.joined[a:b]) == exact[e]
        for a, b, e in zip(
            start[match[check]].tolist(),
            end[match[check]].tolist(),
            entry[check].tolist(),
            strict=True,
        )
    ]
    match, topic = match[keep], topic[entry[keep]]
    if not len(match):
        return none

    ids, first = np.unique(topic, return_index=True)
    ids = ids[np.argsort(first)]
    code = np.zeros(len(tables.names), dtype=np.int64)
    code[ids] = _N_RULES + np.arange(len(ids))
    hits.extend(start[match], end[match], code[topic])

    n_names = len(tables.names)
    pairs = np.unique(match_row[match] * n_names + tables.name_rank[topic])
    sentence, rank = np.divmod(pairs, n_names)
    fired[sentence, _COLUMN["topic"]] = True
    by_rank = np.argsort(tables.name_rank).tolist()
    return (
        np.searchsorted(sentence, np.arange(len(batch.texts) + 1)),
        [tables.names[by_rank[k]] for k in rank.tolist()],
        [tables.names[t] for t in ids.tolist()],
    )


class _RuleTags:
    """What the rules found in one batch (internal; shared with the trained mode).

    ``low`` is each sentence lower-cased without changing its length; ``kind`` the index in
    ``CLAIM_TYPES`` of each sentence's rule type; ``fired`` a bool matrix over
    ``FIRED_COLUMNS``; ``topic_values[topic_bounds[i]:topic_bounds[i + 1]]`` the sorted topics
    of sentence ``i``; ``hit_bounds[i]:hit_bounds[i + 1]`` the rows of sentence ``i`` in the
    hit arrays ``hit_start``/``hit_end`` (offsets in the sentence) and ``hit_code`` (index in
    ``rule_names``), sorted by (start, end, rule name) within each sentence.
    """

    __slots__ = (
        "attributed",
        "checkworthiness",
        "fired",
        "hedged",
        "hit_bounds",
        "hit_code",
        "hit_end",
        "hit_start",
        "kind",
        "low",
        "rule_names",
        "topic_bounds",
        "topic_values",
    )

    def __init__(
        self,
        *,
        low: list[str],
        kind: np.ndarray,
        checkworthiness: np.ndarray,
        hedged: np.ndarray,
        attributed: list[str | None],
        topic_bounds: np.ndarray,
        topic_values: list[str],
        fired: np.ndarray,
        hit_bounds: np.ndarray,
        hit_start: np.ndarray,
        hit_end: np.ndarray,
        hit_code: np.ndarray,
        rule_names: list[str],
    ) -> None:
        self.low = low
        self.kind = kind
        self.checkworthiness = checkworthiness
        self.hedged = hedged
        self.attributed = attributed
        self.topic_bounds = topic_bounds
        self.topic_values = topic_values
        self.fired = fired
        self.hit_bounds = hit_bounds
        self.hit_start = hit_start
        self.hit_end = hit_end
        self.hit_code = hit_code
        self.rule_names = rule_names

    def __len__(self) -> int:
        return len(self.low)

    def hits(self, i: int) -> list[tuple[int, int, str]]:
        """The hits of sentence ``i`` as (start, end, rule), in evidence order."""
        a, b = int(self.hit_bounds[i]), int(self.hit_bounds[i + 1])
        names = self.rule_names
        return [
            (s, e, names[c])
            for s, e, c in zip(
                self.hit_start[a:b].tolist(),
                self.hit_end[a:b].tolist(),
                self.hit_code[a:b].tolist(),
                strict=True,
            )
        ]

    def take(self, idx: np.ndarray) -> _RuleTags:
        """The tags of sentences ``idx``, in that order."""
        idx = np.asarray(idx, dtype=np.int64)
        bounds, rows = _take_ranges(self.hit_bounds, idx)
        topic_bounds, topic_rows = _take_ranges(self.topic_bounds, idx)
        keep = idx.tolist()
        return _RuleTags(
            low=[self.low[i] for i in keep],
            kind=self.kind[idx],
            checkworthiness=self.checkworthiness[idx],
            hedged=self.hedged[idx],
            attributed=[self.attributed[i] for i in keep],
            topic_bounds=topic_bounds,
            topic_values=[self.topic_values[j] for j in topic_rows.tolist()],
            fired=self.fired[idx],
            hit_bounds=bounds,
            hit_start=self.hit_start[rows],
            hit_end=self.hit_end[rows],
            hit_code=self.hit_code[rows],
            rule_names=self.rule_names,
        )


def _take_ranges(bounds: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ranges ``bounds[i]:bounds[i + 1]`` of a flat array, the bounds of the ranges ``idx``
    laid end to end, and the flat rows they hold."""
    counts = bounds[idx + 1] - bounds[idx]
    taken = np.zeros(len(idx) + 1, dtype=np.int64)
    np.cumsum(counts, out=taken[1:])
    return taken, np.repeat(bounds[idx] - taken[:-1], counts) + np.arange(taken[-1])


_NOT_A_CLAIM = CLAIM_TYPES.index("not_a_claim")
_PERSONAL_TYPE = CLAIM_TYPES.index("personal_experience")


def _sigmoids(z: np.ndarray) -> np.ndarray:
    """The logistic function of each value, computed with ``math.exp`` once per distinct value."""
    values, inverse = np.unique(z, return_inverse=True)
    return np.asarray([1.0 / (1.0 + math.exp(-v)) for v in values.tolist()])[inverse]


def _decide(fired: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The claim type (index in ``CLAIM_TYPES``) and check-worthiness of each sentence from its
    fired rules and pseudo-rules.

    The check-worthiness sum adds the weights in ``CHECKWORTHINESS_WEIGHTS`` order, so equal
    inputs give bit-identical scores in every process."""
    n = len(fired)
    short, question, topic = (fired[:, _COLUMN[c]] for c in ("short", "question", "topic"))
    excluded = short | fired[:, _COLUMN[BOILERPLATE]]
    kind = np.full(n, _NOT_A_CLAIM, dtype=np.int64)
    for candidate in reversed(TYPE_PRIORITY):
        columns = [_COLUMN[rule] for rule in TYPE_RULES[candidate]]
        kind[fired[:, columns].any(axis=1)] = CLAIM_TYPES.index(candidate)
    kind[excluded | question] = _NOT_A_CLAIM
    blocking = [
        _COLUMN[rule] for rule in (_STRONG_RULES | (TYPE_RULES["other_claim"] - _SOFT_RULES))
    ]
    opinion = fired[:, _COLUMN[OPINION]] & ~fired[:, blocking].any(axis=1)
    kind[opinion] = _NOT_A_CLAIM

    z = np.full(n, CHECKWORTHINESS_BIAS)
    for rule, weight in CHECKWORTHINESS_WEIGHTS.items():
        if rule != "topic" and rule != "question" and rule in _COLUMN:
            z += np.where(fired[:, _COLUMN[rule]], weight, 0.0)
    z += np.where(topic, CHECKWORTHINESS_WEIGHTS["topic"], 0.0)
    z += np.where(question, CHECKWORTHINESS_WEIGHTS["question"], 0.0)
    checkworthiness = np.where(excluded, 0.0, _sigmoids(z)) if n else np.zeros(0)
    return kind, checkworthiness


_UNTYPED_BLOCKERS = [
    _COLUMN[rule]
    for rule in sorted(set().union(*TYPE_RULES.values()))
    + [OPINION, BOILERPLATE, "question", "short"]
]
"""Columns of ``fired`` that settle a sentence's type without the named-actor and past-event
cues: any type cue, or an opinion, boilerplate, question or fragment."""


def _analyse(
    sentences: Sequence[str],
    topics: Mapping[str, Sequence[str]] | None,
    arrow: pa.Array | None = None,
) -> _RuleTags:
    """Run every rule over ``sentences``; raise ``TypeError`` on a non-string sentence.
    ``arrow`` may hold the same sentences as an Arrow string array (saves a conversion)."""
    if isinstance(sentences, str):
        raise TypeError("tag_claims expects a sequence of sentences, not a single str")
    texts = list(sentences)
    if not all(map(isinstance, texts, repeat(str))):
        i = next(i for i, t in enumerate(texts) if not isinstance(t, str))
        raise TypeError(f"sentence {i} is {type(texts[i]).__name__}, not str")
    frozen = _default_lexicon() if topics is None else _freeze(topics)
    tables = _compile_topics(frozen)
    n = len(texts)
    batch = _Batch.of(texts, arrow)

    hits = _Hits()
    fired = np.zeros((n, len(FIRED_COLUMNS)), dtype=bool)
    source: list[str | None] = [None] * n
    covered = _scan_cues(batch, hits, fired, source)
    _scan_numbers(batch, hits, fired, covered)
    _scan_statements(batch, hits, fired)
    fired[:, _COLUMN["question"]], fired[:, _COLUMN["short"]] = _question_and_short(batch)
    _scan_actors(batch, hits, fired, np.flatnonzero(~fired[:, _UNTYPED_BLOCKERS].any(1)).tolist())
    topic_bounds, topic_values, topic_names = _scan_topics(batch, tables, hits, fired)
    kind, checkworthiness = _decide(fired)

    start, end, code = hits.collect()
    rule_names = list(FIRED_COLUMNS[:_N_RULES]) + [TOPIC_PREFIX + t for t in topic_names]
    rank = np.empty(len(rule_names), dtype=np.int64)
    rank[sorted(range(len(rule_names)), key=rule_names.__getitem__)] = np.arange(len(rule_names))
    rows = batch.row_of(start)
    order = np.lexsort((rank[code], end, start, rows))
    rows, base = rows[order], batch.offsets[rows[order]]
    bounds = np.searchsorted(rows, np.arange(n + 1)).astype(np.int64)
    return _RuleTags(
        low=batch.lows,
        kind=kind,
        checkworthiness=checkworthiness,
        hedged=fired[:, _COLUMN[HEDGE]].copy(),
        attributed=source,
        topic_bounds=topic_bounds,
        topic_values=topic_values,
        fired=fired,
        hit_bounds=bounds,
        hit_start=start[order] - base,
        hit_end=end[order] - base,
        hit_code=code[order],
        rule_names=rule_names,
    )


# --------------------------------------------------------------------------------------------
# Output.


@dataclass
class _Tagged:
    """The tags of one batch in flat arrays, rendered by :func:`_frame` or :func:`_table`.

    ``topic_values[topic_bounds[i]:topic_bounds[i + 1]]`` are sentence ``i``'s topics;
    ``evidence_bounds[i]:evidence_bounds[i + 1]`` are its rows of the evidence arrays;
    ``evidence_rule[j]`` indexes ``evidence_names``."""

    kind: np.ndarray
    is_claim: np.ndarray
    verifiable: np.ndarray
    checkworthiness: np.ndarray
    hedged: np.ndarray
    attributed: list[str | None]
    topic_bounds: np.ndarray
    topic_values: list[str]
    evidence_bounds: np.ndarray
    evidence_rule: np.ndarray
    evidence_names: list[str]
    evidence_cue: list[str]
    evidence_start: np.ndarray
    evidence_end: np.ndarray

    @classmethod
    def of(
        cls,
        kind: np.ndarray,
        checkworthiness: np.ndarray,
        tags: _RuleTags,
        evidence: tuple[np.ndarray, np.ndarray, list[str], list[str], np.ndarray, np.ndarray],
    ) -> _Tagged:
        """Derive ``is_claim`` and ``verifiable`` from ``kind``; take hedging, attribution and
        topics from the rule ``tags``."""
        bounds, rule, names, cue, start, end = evidence
        return cls(
            kind=kind,
            is_claim=kind != _NOT_A_CLAIM,
            verifiable=(kind != _NOT_A_CLAIM) & (kind != _PERSONAL_TYPE),
            checkworthiness=np.asarray(checkworthiness, dtype=np.float64),
            hedged=tags.hedged,
            attributed=tags.attributed,
            topic_bounds=tags.topic_bounds,
            topic_values=tags.topic_values,
            evidence_bounds=bounds,
            evidence_rule=rule,
            evidence_names=names,
            evidence_cue=cue,
            evidence_start=start,
            evidence_end=end,
        )


def _rule_evidence(
    sentences: list[str], tags: _RuleTags
) -> tuple[np.ndarray, np.ndarray, list[str], list[str], np.ndarray, np.ndarray]:
    """Every rule hit as evidence, the cue sliced out of its sentence."""
    counts = np.diff(tags.hit_bounds)
    rows = np.repeat(np.arange(len(sentences)), counts).tolist()
    cue = [
        sentences[r][s:e]
        for r, s, e in zip(rows, tags.hit_start.tolist(), tags.hit_end.tolist(), strict=True)
    ]
    return (tags.hit_bounds, tags.hit_code, tags.rule_names, cue, tags.hit_start, tags.hit_end)


def _frame(tagged: _Tagged) -> pd.DataFrame:
    """The pandas form: list columns hold Python lists, evidence items are dicts."""
    names = tagged.evidence_names
    items = [
        {"rule": names[r], "cue": c, "start": s, "end": e}
        for r, c, s, e in zip(
            tagged.evidence_rule.tolist(),
            tagged.evidence_cue,
            tagged.evidence_start.tolist(),
            tagged.evidence_end.tolist(),
            strict=True,
        )
    ]
    bounds = tagged.evidence_bounds.tolist()
    evidence = [items[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    values, bounds = tagged.topic_values, tagged.topic_bounds.tolist()
    topics = [values[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    n = len(tagged.kind)
    return pd.DataFrame(
        {
            "is_claim": pd.Series(tagged.is_claim, dtype=bool),
            "claim_type": pd.Series([CLAIM_TYPES[k] for k in tagged.kind.tolist()], dtype=object),
            "checkworthiness": pd.Series(tagged.checkworthiness, dtype="float64"),
            "verifiable": pd.Series(tagged.verifiable, dtype=bool),
            "hedged": pd.Series(tagged.hedged, dtype=bool),
            "attributed_to": pd.Series(tagged.attributed, dtype=object),
            "topics": pd.Series(topics, dtype=object),
            "evidence": pd.Series(evidence, dtype=object),
        },
        index=pd.RangeIndex(n),
    )


EVIDENCE_TYPE = pa.struct(
    [
        pa.field("rule", pa.string(), nullable=False),
        pa.field("cue", pa.string(), nullable=False),
        pa.field("start", pa.int64(), nullable=False),
        pa.field("end", pa.int64(), nullable=False),
    ]
)
"""Arrow type of one evidence item in :func:`tag_claims_arrow` output."""

ARROW_SCHEMA = pa.schema(
    [
        pa.field("is_claim", pa.bool_(), nullable=False),
        pa.field("claim_type", pa.string(), nullable=False),
        pa.field("checkworthiness", pa.float64(), nullable=False),
        pa.field("verifiable", pa.bool_(), nullable=False),
        pa.field("hedged", pa.bool_(), nullable=False),
        pa.field("attributed_to", pa.string(), nullable=True),
        pa.field("topics", pa.list_(pa.string()), nullable=False),
        pa.field("evidence", pa.list_(EVIDENCE_TYPE), nullable=False),
    ]
)
"""Schema of :func:`tag_claims_arrow` output: ``COLUMNS`` with the claims table's types."""


def _table(tagged: _Tagged) -> pa.Table:
    """The Arrow form, built column by column without per-row Python objects."""
    items = pa.StructArray.from_arrays(
        [
            pc.take(pa.array(tagged.evidence_names, pa.string()), tagged.evidence_rule),
            pa.array(tagged.evidence_cue, pa.string()),
            pa.array(tagged.evidence_start, pa.int64()),
            pa.array(tagged.evidence_end, pa.int64()),
        ],
        fields=list(EVIDENCE_TYPE),
    )
    columns = [
        pa.array(tagged.is_claim, pa.bool_()),
        pc.take(pa.array(CLAIM_TYPES, pa.string()), tagged.kind),
        pa.array(tagged.checkworthiness, pa.float64()),
        pa.array(tagged.verifiable, pa.bool_()),
        pa.array(tagged.hedged, pa.bool_()),
        pa.array(tagged.attributed, pa.string()),
        pa.ListArray.from_arrays(
            pa.array(tagged.topic_bounds.astype(np.int32)),
            pa.array(tagged.topic_values, pa.string()),
            type=ARROW_SCHEMA.field("topics").type,
        ),
        pa.ListArray.from_arrays(
            pa.array(tagged.evidence_bounds.astype(np.int32)),
            items,
            type=ARROW_SCHEMA.field("evidence").type,
        ),
    ]
    return pa.Table.from_arrays(columns, schema=ARROW_SCHEMA)


def _tag(
    sentences: Sequence[str] | pa.Array | pa.ChunkedArray,
    topics: Mapping[str, Sequence[str]] | None,
    model: ClaimModel | None,
) -> _Tagged:
    """Both modes of :func:`tag_claims`, in flat arrays."""
    arrow = None
    if isinstance(sentences, pa.ChunkedArray):
        sentences = sentences.combine_chunks()
    if isinstance(sentences, pa.Array):
        arrow = sentences
        if sentences.null_count:
            raise TypeError("sentences must not be null")
        sentences = sentences.to_pylist()
    texts = list(sentences) if not isinstance(sentences, str) else sentences
    tags = _analyse(texts, topics, arrow)
    if model is not None:
        return model._tag(texts, tags)
    return _Tagged.of(tags.kind, tags.checkworthiness, tags, _rule_evidence(texts, tags))


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
    * deterministic: the same input always gives the same output, in every process;
    * a sentence's tags do not depend on the other sentences of the call.

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
    return _frame(_tag(sentences, topics, model))


def tag_claims_arrow(
    sentences: Sequence[str] | pa.Array | pa.ChunkedArray,
    *,
    topics: Mapping[str, Sequence[str]] | None = None,
    model: ClaimModel | None = None,
) -> pa.Table:
    """:func:`tag_claims` as an Arrow table with schema ``ARROW_SCHEMA``: the same rows and
    values (``topics`` a list of strings, ``evidence`` a list of structs ``EVIDENCE_TYPE``),
    built without per-row Python objects. ``sentences`` may be an Arrow string array, which
    must hold no null. Raises ``TypeError`` like :func:`tag_claims`."""
    return _table(_tag(sentences, topics, model))

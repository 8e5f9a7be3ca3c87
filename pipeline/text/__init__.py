"""Plain-Python text processing: decoding, HTML extraction, cleaning, language id,
sentence splitting and claim tagging.

Nothing in this package imports Dagster: every function here works on strings, bytes or
DataFrames so it can be tested, benchmarked and reused on its own.
"""

from pipeline.text.clean import Cleaned, clean_text
from pipeline.text.decode import Decoded, decode_bytes
from pipeline.text.html import Extracted, extract_html, looks_like_html
from pipeline.text.language import detect_language, detect_languages
from pipeline.text.model import ClaimModel, load_claim_model, train_claim_model
from pipeline.text.segment import split_sentences
from pipeline.text.tagging import CLAIM_TYPES, tag_claims

__all__ = [
    "CLAIM_TYPES",
    "ClaimModel",
    "Cleaned",
    "Decoded",
    "Extracted",
    "clean_text",
    "decode_bytes",
    "detect_language",
    "detect_languages",
    "extract_html",
    "load_claim_model",
    "looks_like_html",
    "split_sentences",
    "tag_claims",
    "train_claim_model",
]

"""Describe a piece of text: its first letter, its length, its vowels and its spaces.

The seed project's first example, rewritten: each measurement is a callee (a Lambda), the
workflow puts the sentence together.

    pysfn-emulate examples/analyse_text.py --input '{"text": "a short example"}'
"""

from pysfn_compile import sfn

VOWELS = "aeiou"


def first_letter(text: str) -> str:
    """The first character, or "nothing" for an empty text."""
    return text[0] if text else "nothing"


def count_chars(text: str) -> int:
    return len(text)


def count_vowels(text: str) -> int:
    return sum(1 for ch in text.lower() if ch in VOWELS)


def count_spaces(text: str) -> int:
    return text.count(" ")


@sfn.workflow
def analyse(text: str) -> str:
    first = first_letter(text)
    chars = count_chars(text)
    vowels = count_vowels(text)
    spaces = count_spaces(text)
    return f"text starts with {first}, has {chars} chars, {vowels} vowels, and {spaces} spaces"

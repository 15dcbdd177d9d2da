"""Tags as the API carries them: a list of {key, value}."""

from __future__ import annotations


def tags_dict(tags: list[dict] | None) -> dict[str, str]:
    return {tag["key"]: tag.get("value", "") for tag in tags or ()}


def tags_list(tags: dict[str, str]) -> list[dict]:
    return [{"key": key, "value": value} for key, value in tags.items()]

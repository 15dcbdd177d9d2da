"""The ARNs of Step Functions resources: made for a region and account, read back with AWS's
refusals (InvalidArn) for the wrong kind of ARN."""

from __future__ import annotations

import re

import attrs

from .errors import ApiError, invalid_arn

# AWS's rule for names of state machines, executions, activities and aliases: 1-80
# characters, none of these.
_NAME_FORBIDDEN = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")


@attrs.frozen
class Arn:
    region: str
    account: str
    kind: str  # stateMachine, execution, express, activity
    rest: tuple[str, ...]  # what follows the kind, split at ':'

    def __str__(self) -> str:
        return ":".join(("arn:aws:states", self.region, self.account, self.kind, *self.rest))


def parse(text: str, *kinds: str) -> Arn:
    """An ARN of one of `kinds`, or InvalidArn as AWS words it."""
    parts = text.split(":")
    if len(parts) < 7 or parts[0] != "arn" or parts[2] != "states" or not all(parts[:7]):
        raise invalid_arn(text, "Invalid ARN prefix" if not text.startswith("arn:") else "")
    arn = Arn(parts[3], parts[4], parts[5], tuple(parts[6:]))
    if arn.kind not in kinds:
        raise invalid_arn(text, f"Resource type not valid in this context: {arn.kind}")
    return arn


def check_name(name: str, what: str = "") -> None:
    """InvalidName for a name AWS would refuse."""
    if not 1 <= len(name) <= 80 or _NAME_FORBIDDEN.search(name):
        raise ApiError("InvalidName", f"Invalid Name: '{name}'")


def state_machine(region: str, account: str, name: str) -> str:
    return f"arn:aws:states:{region}:{account}:stateMachine:{name}"


def activity(region: str, account: str, name: str) -> str:
    return f"arn:aws:states:{region}:{account}:activity:{name}"

"""Activities: the API's operations on them (their tasks are handed out by the service,
which knows the executions that wait)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import attrs

from . import arns
from .errors import ApiError, does_not_exist
from .paging import paginate
from .tags import tags_dict


@attrs.define(eq=False)
class Activity:
    arn: str
    name: str
    creation_date: datetime
    tags: dict[str, str] = attrs.field(factory=dict)


class Activities:
    """Every activity of the service, by ARN."""

    def __init__(self, now: Callable[[], datetime], account: Callable[[], str]):
        self._now = now
        self._account = account
        self._by_arn: dict[str, Activity] = {}

    def get(self, arn: str) -> Activity | None:
        return self._by_arn.get(arn)

    def create_activity(self, params: dict, region: str) -> dict:
        name = params["name"]
        arns.check_name(name)
        arn = arns.activity(region, self._account(), name)
        activity = self._by_arn.get(arn)
        tags = tags_dict(params.get("tags"))
        if activity is None:
            activity = self._by_arn[arn] = Activity(arn, name, self._now(), tags)
        elif tags and tags != activity.tags:
            raise ApiError("ActivityAlreadyExists", f"Activity Already Exists: '{arn}'")
        return {"activityArn": arn, "creationDate": activity.creation_date}

    def activity(self, arn: str) -> Activity:
        arns.parse(arn, "activity")
        activity = self._by_arn.get(arn)
        if activity is None:
            raise does_not_exist("Activity", arn)
        return activity

    def describe_activity(self, params: dict, region: str) -> dict:
        activity = self.activity(params["activityArn"])
        return {"activityArn": activity.arn, "name": activity.name, "creationDate": activity.creation_date}

    def delete_activity(self, params: dict, region: str) -> dict:
        arns.parse(params["activityArn"], "activity")
        self._by_arn.pop(params["activityArn"], None)
        return {}

    def list_activities(self, params: dict, region: str) -> dict:
        listed = [{"activityArn": a.arn, "name": a.name, "creationDate": a.creation_date}
                  for a in sorted(self._by_arn.values(), key=lambda a: a.name)]
        page, token = paginate(listed, params, "activities")
        return {"activities": page, "nextToken": token}

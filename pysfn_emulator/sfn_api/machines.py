"""State machines, their versions and aliases: the API's operations on them, and what an
execution runs for a state machine, version or alias ARN."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import datetime

import attrs

from . import arns, diagnostics
from .errors import ApiError, does_not_exist, invalid_arn
from .executions import MachineSnapshot
from .paging import paginate
from .tags import tags_dict


@attrs.define(eq=False)
class Version:
    number: int
    definition: str
    role_arn: str
    description: str | None
    creation_date: datetime
    revision_id: str


@attrs.define(eq=False)
class Alias:
    arn: str
    name: str
    description: str | None
    routing: list[dict]
    creation_date: datetime
    update_date: datetime


@attrs.define(eq=False)
class StateMachine:
    arn: str
    name: str
    definition: str
    role_arn: str
    type: str
    creation_date: datetime
    update_date: datetime
    logging: dict
    tracing: dict
    revision_id: str
    tags: dict[str, str] = attrs.field(factory=dict)
    versions: dict[int, Version] = attrs.field(factory=dict)
    next_version: int = 1
    aliases: dict[str, Alias] = attrs.field(factory=dict)


class StateMachines:
    """Every state machine of the service, by ARN. Operations take the API's parameters and
    return its result; `now` and `account` are the service's."""

    def __init__(self, now: Callable[[], datetime], account: Callable[[], str], rng: random.Random):
        self._now = now
        self._account = account
        self._random = rng
        self._by_arn: dict[str, StateMachine] = {}

    def get(self, arn: str) -> StateMachine | None:
        return self._by_arn.get(arn)

    def definitions(self) -> dict[str, str]:
        """Every state machine's definition by ARN (what states:startExecution tasks may start)."""
        return {machine.arn: machine.definition for machine in self._by_arn.values()}

    def create_state_machine(self, params: dict, region: str) -> dict:
        name, definition = params["name"], params["definition"]
        arns.check_name(name)
        machine_type = params.get("type") or "STANDARD"
        diagnostics.check_definition(definition, machine_type)
        arn = arns.state_machine(region, self._account(), name)
        logging = params.get("loggingConfiguration") or {"level": "OFF", "includeExecutionData": False}
        tracing = params.get("tracingConfiguration") or {"enabled": False}
        existing = self._by_arn.get(arn)
        if existing is not None:
            same = (existing.definition, existing.role_arn, existing.type) == (definition, params["roleArn"], machine_type)
            if not same:
                raise ApiError("StateMachineAlreadyExists", f"State Machine Already Exists: '{arn}'")
            return {"stateMachineArn": arn, "creationDate": existing.creation_date}
        created = self._now()
        machine = StateMachine(arn, name, definition, params["roleArn"], machine_type, created, created, logging,
                               tracing, str(uuid.uuid4()), tags=tags_dict(params.get("tags")))
        self._by_arn[arn] = machine
        result = {"stateMachineArn": arn, "creationDate": created}
        if params.get("publish"):
            result["stateMachineVersionArn"] = self._publish(machine, params.get("versionDescription"))
        return result

    def machine(self, arn: str) -> StateMachine:
        parsed = arns.parse(arn, "stateMachine")
        machine = self._by_arn.get(str(attrs.evolve(parsed, rest=parsed.rest[:1])))
        if machine is None:
            raise does_not_exist("StateMachine", arn)
        return machine

    def plain_machine(self, arn: str) -> StateMachine:
        """A state machine named by its own ARN (no version or alias)."""
        if len(arns.parse(arn, "stateMachine").rest) != 1:
            raise invalid_arn(arn, "Resource type not valid in this context: stateMachine version or alias")
        return self.machine(arn)

    def describe_state_machine(self, params: dict, region: str) -> dict:
        arn = params["stateMachineArn"]
        machine = self.machine(arn)
        qualifier = qualifier_of(arn)
        described = {
            "stateMachineArn": machine.arn, "name": machine.name, "status": "ACTIVE",
            "definition": machine.definition, "roleArn": machine.role_arn, "type": machine.type,
            "creationDate": machine.creation_date, "loggingConfiguration": machine.logging,
            "tracingConfiguration": machine.tracing, "revisionId": machine.revision_id,
        }
        if qualifier is not None:
            version = self.version(machine, arn)
            described.update(stateMachineArn=arn, definition=version.definition, roleArn=version.role_arn,
                             creationDate=version.creation_date, revisionId=version.revision_id,
                             description=version.description)
        if params.get("includedData") == "METADATA_ONLY":
            described.pop("definition")
        return described

    def update_state_machine(self, params: dict, region: str) -> dict:
        machine = self.plain_machine(params["stateMachineArn"])
        if not any(key in params for key in ("definition", "roleArn", "loggingConfiguration", "tracingConfiguration",
                                             "encryptionConfiguration")):
            raise ApiError("MissingRequiredParameter",
                           "Either the definition, the role ARN, the LoggingConfiguration, the EncryptionConfiguration "
                           "or the TracingConfiguration must be specified")
        if "definition" in params:
            diagnostics.check_definition(params["definition"], machine.type)
            machine.definition = params["definition"]
        machine.role_arn = params.get("roleArn", machine.role_arn)
        machine.logging = params.get("loggingConfiguration", machine.logging)
        machine.tracing = params.get("tracingConfiguration", machine.tracing)
        machine.update_date = self._now()
        machine.revision_id = str(uuid.uuid4())
        result = {"updateDate": machine.update_date, "revisionId": machine.revision_id}
        if params.get("publish"):
            result["stateMachineVersionArn"] = self._publish(machine, params.get("versionDescription"))
        return result

    def delete_state_machine(self, params: dict, region: str) -> dict:
        arn = params["stateMachineArn"]
        arns.parse(arn, "stateMachine")
        self._by_arn.pop(arn, None)  # deleting one that is gone succeeds, as on AWS
        return {}

    def list_state_machines(self, params: dict, region: str) -> dict:
        machines = sorted(self._by_arn.values(), key=lambda m: m.name)
        listed = [{"stateMachineArn": m.arn, "name": m.name, "type": m.type, "creationDate": m.creation_date}
                  for m in machines]
        page, token = paginate(listed, params, "machines")
        return {"stateMachines": page, "nextToken": token}

    # versions and aliases

    def _publish(self, machine: StateMachine, description: str | None) -> str:
        latest = machine.versions.get(machine.next_version - 1)
        if latest is not None and latest.revision_id == machine.revision_id:
            return f"{machine.arn}:{latest.number}"  # nothing changed: the same version
        number = machine.next_version
        machine.versions[number] = Version(number, machine.definition, machine.role_arn, description, self._now(),
                                           machine.revision_id)
        machine.next_version += 1
        return f"{machine.arn}:{number}"

    def publish_state_machine_version(self, params: dict, region: str) -> dict:
        machine = self.plain_machine(params["stateMachineArn"])
        revision = params.get("revisionId")
        if revision is not None and revision != machine.revision_id:
            raise ApiError("ConflictException", f"Failed to publish the State Machine version for revision {revision}. "
                           f"The current State Machine revision is {machine.revision_id}.")
        arn = self._publish(machine, params.get("description"))
        return {"creationDate": machine.versions[int(arn.rsplit(":", 1)[1])].creation_date, "stateMachineVersionArn": arn}

    def version(self, machine: StateMachine, arn: str) -> Version:
        qualifier = qualifier_of(arn)
        version = machine.versions.get(int(qualifier)) if qualifier and qualifier.isdigit() else None
        if version is None:
            raise ApiError("ResourceNotFound", f"Resource not found: '{arn}'")
        return version

    def list_state_machine_versions(self, params: dict, region: str) -> dict:
        machine = self.plain_machine(params["stateMachineArn"])
        listed = [{"stateMachineVersionArn": f"{machine.arn}:{v.number}", "creationDate": v.creation_date}
                  for v in sorted(machine.versions.values(), key=lambda v: -v.number)]
        page, token = paginate(listed, params, "versions")
        return {"stateMachineVersions": page, "nextToken": token}

    def delete_state_machine_version(self, params: dict, region: str) -> dict:
        arn = params["stateMachineVersionArn"]
        machine = self._by_arn.get(arn.rsplit(":", 1)[0])
        qualifier = qualifier_of(arn)
        if machine is not None and qualifier and qualifier.isdigit():
            for alias in machine.aliases.values():
                if any(route["stateMachineVersionArn"] == arn for route in alias.routing):
                    raise ApiError("ConflictException", f"Version to be deleted must not be referenced by an alias. "
                                   f"Current list of aliases referencing this version: [{alias.arn}]")
            machine.versions.pop(int(qualifier), None)
        return {}

    def create_state_machine_alias(self, params: dict, region: str) -> dict:
        name = params["name"]
        arns.check_name(name)
        routing = self._routing(params["routingConfiguration"])
        machine = self.machine(routing[0]["stateMachineVersionArn"])
        arn = f"{machine.arn}:{name}"
        if name in machine.aliases:
            raise ApiError("ConflictException", f"Alias already exists: '{arn}'")
        created = self._now()
        machine.aliases[name] = Alias(arn, name, params.get("description"), routing, created, created)
        return {"stateMachineAliasArn": arn, "creationDate": created}

    def _routing(self, routing: list[dict]) -> list[dict]:
        for route in routing:
            self.version(self.machine(route["stateMachineVersionArn"]), route["stateMachineVersionArn"])
        if sum(route["weight"] for route in routing) != 100:
            raise ApiError("ValidationException", "Sum of routing configuration weights must equal 100.")
        return [dict(route) for route in routing]

    def alias(self, arn: str) -> Alias:
        machine = self.machine(arn)
        alias = machine.aliases.get(qualifier_of(arn) or "")
        if alias is None:
            raise ApiError("ResourceNotFound", f"Resource not found: '{arn}'")
        return alias

    def describe_state_machine_alias(self, params: dict, region: str) -> dict:
        alias = self.alias(params["stateMachineAliasArn"])
        return {"stateMachineAliasArn": alias.arn, "name": alias.name, "description": alias.description,
                "routingConfiguration": alias.routing, "creationDate": alias.creation_date,
                "updateDate": alias.update_date}

    def update_state_machine_alias(self, params: dict, region: str) -> dict:
        alias = self.alias(params["stateMachineAliasArn"])
        if "routingConfiguration" in params:
            alias.routing = self._routing(params["routingConfiguration"])
        alias.description = params.get("description", alias.description)
        alias.update_date = self._now()
        return {"updateDate": alias.update_date}

    def delete_state_machine_alias(self, params: dict, region: str) -> dict:
        arn = params["stateMachineAliasArn"]
        machine = self._by_arn.get(arn.rsplit(":", 1)[0])
        if machine is not None:
            machine.aliases.pop(qualifier_of(arn) or "", None)
        return {}

    def list_state_machine_aliases(self, params: dict, region: str) -> dict:
        machine = self.plain_machine(params["stateMachineArn"])
        listed = [{"stateMachineAliasArn": a.arn, "creationDate": a.creation_date}
                  for a in sorted(machine.aliases.values(), key=lambda a: a.name)]
        page, token = paginate(listed, params, "aliases")
        return {"stateMachineAliases": page, "nextToken": token}

    def snapshot(self, arn: str) -> MachineSnapshot:
        """What StartExecution runs for a state machine, version or alias ARN."""
        machine = self.machine(arn)
        qualifier = qualifier_of(arn)
        snapshot = MachineSnapshot(machine.arn, machine.name, machine.definition, machine.role_arn, machine.type,
                                   machine.logging, machine.tracing, machine.revision_id, machine.update_date)
        if qualifier is None:
            return snapshot
        alias_arn = None
        if not qualifier.isdigit():
            alias = self.alias(arn)
            alias_arn = arn
            arn = _route(alias.routing, self._random)
        version = self.version(machine, arn)
        return attrs.evolve(snapshot, definition=version.definition, role_arn=version.role_arn,
                            revision_id=version.revision_id, version_arn=arn, alias_arn=alias_arn)


def qualifier_of(arn: str) -> str | None:
    parsed = arns.parse(arn, "stateMachine")
    return parsed.rest[1] if len(parsed.rest) > 1 else None


def _route(routing: list[dict], rng: random.Random) -> str:
    """The version an alias sends this execution to, by the routing weights."""
    pick = rng.uniform(0, 100)
    for route in routing:
        pick -= route["weight"]
        if pick < 0:
            return route["stateMachineVersionArn"]
    return routing[-1]["stateMachineVersionArn"]

"""Error handling with custom exceptions and finally: a document goes through parse,
validate and publish; each step has its own exception class, handlers translate them into
a result, a finally block always closes the session, and unknown errors are re-raised.
"""

from pysfn_compile import sfn

EVENTS = []


class DocumentError(Exception):
    """Base class of everything a document can get wrong."""


class ParseError(DocumentError):
    pass


class ValidationError(DocumentError):
    pass


class PublishConflict(Exception):
    pass


def open_session(doc_id: str) -> str:
    return f"S-{doc_id}"


def close_session(session: str) -> None:
    EVENTS.append(("closed", session))


def parse(text: str) -> dict:
    if not text.startswith("title:"):
        raise ParseError("missing title line")
    title, _, body = text.partition("\n")
    return {"title": title.removeprefix("title:").strip(), "body": body}


def validate(doc: dict) -> list[str]:
    problems = []
    if len(doc["title"]) < 3:
        problems.append("title too short")
    if "TODO" in doc["body"]:
        problems.append("body has TODOs")
    if problems:
        raise ValidationError("; ".join(problems))
    return []


def publish(doc: dict, channel: str) -> str:
    if channel == "locked":
        raise PublishConflict("channel is locked")
    if channel == "broken":
        raise RuntimeError("publisher crashed")
    return f"{channel}/{doc['title'].lower().replace(' ', '-')}"


@sfn.workflow
def publish_document(doc_id: str, text: str, channel: str = "blog"):
    session = open_session(doc_id)
    outcome = {"doc": doc_id}
    try:
        doc = parse(text)
        validate(doc)
        try:
            outcome["url"] = publish(doc, channel)
        except PublishConflict:
            outcome["url"] = publish(doc, channel + "-drafts")
            outcome["note"] = "published as a draft"
    except ParseError as e:
        outcome["error"] = f"could not parse: {e}"
    except DocumentError as e:
        outcome["error"] = f"invalid: {e}"
    except Exception:
        outcome["error"] = "unexpected"
        raise
    else:
        outcome["status"] = "published"
    finally:
        close_session(session)
    return outcome

"""User onboarding: check a sign-up, normalise it, create the account, then send a welcome
message on the channels the user chose; optional steps are skipped by flags.

Shows parameters with defaults and annotations (checked when the execution starts, as the
plain Python call checks them), isinstance, assert, dict.get with defaults, early returns,
`in` tests, and sfn.Fail for business rejections.
"""

from pysfn_compile import sfn

TAKEN = {"ada", "root", "admin"}
BANNED_DOMAINS = ["spam.example"]


def valid_username(username: str) -> bool:
    return len(username) >= 3 and username.replace("_", "").replace("-", "").isalnum()


def username_taken(username: str) -> bool:
    return username in TAKEN


def create_account(username: str, email: str, plan: str) -> dict:
    return {"id": f"U-{len(username):02d}{len(email):02d}", "username": username, "plan": plan}


def send(channel: str, address: str, message: str) -> str:
    if channel == "sms" and not address.startswith("+"):
        raise ValueError(f"not a phone number: {address}")
    return f"{channel}:{address}"


@sfn.workflow
def onboard(username: str, email: str, plan: str = "free", channels: tuple[str, ...] = ("email",),
            phone: str | None = None, marketing: bool = False, referrer: dict | None = None):
    username = username.strip().lower()
    email = email.strip().lower()
    assert username, "username must not be empty"
    if not valid_username(username):
        raise sfn.Fail("Signup.BadUsername", f"{username!r} is not a valid username")
    if email.count("@") != 1 or email.split("@")[1] in BANNED_DOMAINS:
        raise sfn.Fail("Signup.BadEmail", f"cannot use {email}")
    if plan not in ("free", "pro", "team"):
        raise ValueError(f"unknown plan {plan}")
    if username_taken(username):
        return {"status": "taken", "suggestion": username + "_1"}

    account = create_account(username, email, plan)
    sent = []
    for channel in channels:
        if channel == "sms":
            if phone is None:
                continue
            address = phone
        elif channel == "email":
            address = email
        else:
            raise ValueError(f"unknown channel {channel}")
        sent.append(send(channel, address, f"Welcome, {username}!"))

    bonus = 0
    if isinstance(referrer, dict) and referrer.get("code", "").startswith("REF"):
        bonus = 30 if plan == "free" else 90
    return {"status": "created", "account": account, "sent": sent, "marketing": marketing,
            "bonus_days": bonus}

"""The ``demo`` seed's records: a few hundred deterministic records (``random.Random(20)``) of
the CRM objects, plus a few favorites (two in folders), a dashboard, the first member's connected
account with a mailbox (three threads of two messages, participants linked to people and the
member) and a calendar (three events with participants). :mod:`twenty_gql.testing.seeds` re-exports
``DEMO_ORDER`` and ``demo_records``.
"""

from __future__ import annotations

import random
from typing import Any

from twenty_gql.testing.model import deterministic_id

__all__ = ["DEMO_COUNTS", "DEMO_ORDER", "demo_records"]

_COMPANY_WORDS = [
    "Acme",
    "Anvil",
    "Apex",
    "Atlas",
    "Aurora",
    "Beacon",
    "Birch",
    "Blue",
    "Bolt",
    "Bright",
    "Cedar",
    "Cobalt",
    "Comet",
    "Copper",
    "Crest",
    "Delta",
    "Echo",
    "Ember",
    "Falcon",
    "Fern",
    "Forge",
    "Granite",
    "Harbor",
    "Helix",
    "Horizon",
    "Indigo",
    "Iron",
    "Juniper",
    "Kestrel",
    "Lumen",
    "Maple",
    "Meridian",
    "Nimbus",
    "Nova",
    "Oak",
    "Onyx",
    "Orbit",
    "Pine",
    "Pioneer",
    "Quartz",
    "Raven",
    "Ridge",
    "Sage",
    "Sierra",
    "Solar",
    "Spruce",
    "Summit",
    "Tidal",
    "Vertex",
    "Willow",
    "Zenith",
]
_COMPANY_SUFFIX = (
    "Labs",
    "Systems",
    "Partners",
    "Works",
    "Analytics",
    "Logistics",
    "Health",
    "Foods",
)
_FIRST = [
    "Ada",
    "Alan",
    "Amara",
    "Ana",
    "Bruno",
    "Carla",
    "Chen",
    "Clara",
    "Daniel",
    "Diego",
    "Elena",
    "Emil",
    "Fatima",
    "Felix",
    "Grace",
    "Hana",
    "Hugo",
    "Ines",
    "Ivan",
    "Jonas",
    "Julia",
    "Kai",
    "Karin",
    "Leo",
    "Lina",
    "Luca",
    "Maya",
    "Mateo",
    "Mia",
    "Nadia",
    "Noah",
    "Omar",
    "Paula",
    "Priya",
    "Rafael",
    "Rosa",
    "Sam",
    "Sara",
    "Theo",
    "Uma",
    "Victor",
    "Yara",
    "Zoe",
]
_LAST = [
    "Adams",
    "Bauer",
    "Costa",
    "Dubois",
    "Evans",
    "Fischer",
    "Garcia",
    "Hansen",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Martin",
    "Nakamura",
    "Novak",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Silva",
    "Tanaka",
    "Umar",
    "Varga",
    "Weber",
    "Xu",
    "Young",
    "Zhang",
]
_CITIES = (
    ("Paris", "France"),
    ("Berlin", "Germany"),
    ("Lisbon", "Portugal"),
    ("New York", "United States"),
    ("San Francisco", "United States"),
    ("Tokyo", "Japan"),
    ("Toronto", "Canada"),
    ("Madrid", "Spain"),
    ("London", "United Kingdom"),
    ("Amsterdam", "Netherlands"),
)
_STAGES = ("NEW", "SCREENING", "MEETING", "PROPOSAL", "CUSTOMER")
_TASK_STATUS = ("TODO", "IN_PROGRESS", "DONE")

DEMO_COUNTS = {
    "workspaceMember": 5,
    "company": 60,
    "person": 150,
    "opportunity": 60,
    "note": 30,
    "task": 30,
    "noteTarget": 30,
    "taskTarget": 30,
    # what a CRM user sees beside the records: favorites, a dashboard, an inbox, a calendar
    "dashboard": 1,
    "favoriteFolder": 2,
    "favorite": 6,
    "connectedAccount": 1,
    "messageChannel": 1,
    "messageFolder": 2,
    "calendarChannel": 1,
    "messageThread": 3,
    "message": 6,
    "messageParticipant": 12,
    "messageChannelMessageAssociation": 6,
    "calendarEvent": 3,
    "calendarEventParticipant": 6,
    "calendarChannelEventAssociation": 3,
}
#: creation order of the demo objects (relations point backwards only)
DEMO_ORDER = tuple(DEMO_COUNTS)


def _ts(rng: random.Random) -> str:
    day = rng.randint(1, 28)
    month = rng.randint(1, 12)
    hour = rng.randint(0, 23)
    minute = rng.randint(0, 59)
    return f"2025-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00.000Z"


def demo_records() -> dict[str, list[dict[str, Any]]]:
    """Partial records (create-input shaped) for the demo seed, keyed by object name.

    Deterministic: the same output on every call. Ids are fixed uuid5 values so relations can be
    expressed by join column.
    """
    rng = random.Random(20)
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in DEMO_COUNTS}
    members = []
    for i in range(DEMO_COUNTS["workspaceMember"]):
        first, last = _FIRST[i * 7 % len(_FIRST)], _LAST[i * 5 % len(_LAST)]
        rid = deterministic_id("demo", "workspaceMember", str(i))
        members.append(rid)
        out["workspaceMember"].append(
            {
                "id": rid,
                "name": {"firstName": first, "lastName": last},
                "userEmail": f"{first.lower()}.{last.lower()}@example.com",
                "userId": deterministic_id("demo", "user", str(i)),
                "locale": "en",
                "colorScheme": "System",
                "timeZone": "system",
            }
        )
    used_names: set[str] = set()
    companies = []
    for i in range(DEMO_COUNTS["company"]):
        while True:
            name = f"{rng.choice(_COMPANY_WORDS)} {rng.choice(_COMPANY_SUFFIX)}"
            if name not in used_names:
                used_names.add(name)
                break
        domain = name.lower().replace(" ", "") + ".com"
        city, country = rng.choice(_CITIES)
        rid = deterministic_id("demo", "company", str(i))
        companies.append((rid, domain))
        out["company"].append(
            {
                "id": rid,
                "name": name,
                "domainName": {"primaryLinkUrl": f"https://{domain}", "primaryLinkLabel": ""},
                "employees": rng.choice((5, 12, 40, 85, 150, 400, 1200, 5000)),
                "address": {"addressCity": city, "addressCountry": country},
                "annualRecurringRevenue": {
                    "amountMicros": rng.randint(1, 500) * 10_000 * 1_000_000,
                    "currencyCode": "USD",
                },
                "idealCustomerProfile": rng.random() < 0.3,
                "accountOwnerId": rng.choice(members),
                "createdAt": _ts(rng),
                "position": float(i),
            }
        )
    people = []
    used_emails: set[str] = set()
    for i in range(DEMO_COUNTS["person"]):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        company_id, domain = rng.choice(companies)
        email = f"{first.lower()}.{last.lower()}@{domain}"
        n = 2
        while email in used_emails:
            email = f"{first.lower()}.{last.lower()}{n}@{domain}"
            n += 1
        used_emails.add(email)
        rid = deterministic_id("demo", "person", str(i))
        people.append((rid, company_id))
        city, _country = rng.choice(_CITIES)
        out["person"].append(
            {
                "id": rid,
                "name": {"firstName": first, "lastName": last},
                "emails": {"primaryEmail": email, "additionalEmails": None},
                "jobTitle": rng.choice(("CEO", "CTO", "Engineer", "Sales", "Designer", "COO", "")),
                "city": city,
                "companyId": company_id,
                "createdAt": _ts(rng),
                "position": float(i),
            }
        )
    opportunities = []
    for i in range(DEMO_COUNTS["opportunity"]):
        company_id, _domain = rng.choice(companies)
        contacts = [p for p, c in people if c == company_id] or [people[0][0]]
        rid = deterministic_id("demo", "opportunity", str(i))
        opportunities.append(rid)
        out["opportunity"].append(
            {
                "id": rid,
                "name": f"Deal {i + 1:03d}",
                "amount": {
                    "amountMicros": rng.randint(1, 200) * 1_000 * 1_000_000,
                    "currencyCode": rng.choice(("USD", "EUR")),
                },
                "stage": rng.choice(_STAGES),
                "closeDate": _ts(rng),
                "companyId": company_id,
                "pointOfContactId": rng.choice(contacts),
                "ownerId": rng.choice(members),
                "createdAt": _ts(rng),
                "position": float(i),
            }
        )
    for i in range(DEMO_COUNTS["note"]):
        note_id = deterministic_id("demo", "note", str(i))
        target: dict[str, Any] = (
            {"targetCompanyId": rng.choice(companies)[0]}
            if i % 2
            else {"targetPersonId": rng.choice(people)[0]}
        )
        out["noteTarget"].append(
            {"id": deterministic_id("demo", "noteTarget", str(i)), "noteId": note_id, **target}
        )
        out["note"].append(
            {
                "id": note_id,
                "title": f"Call notes #{i + 1}",
                "bodyV2": {"markdown": f"Discussed next steps ({i + 1}).", "blocknote": None},
                "createdAt": _ts(rng),
                "position": float(i),
            }
        )
    for i in range(DEMO_COUNTS["task"]):
        task_id = deterministic_id("demo", "task", str(i))
        target = (
            {"targetOpportunityId": rng.choice(opportunities)}
            if i % 3 == 0
            else {"targetCompanyId": rng.choice(companies)[0]}
        )
        out["taskTarget"].append(
            {"id": deterministic_id("demo", "taskTarget", str(i)), "taskId": task_id, **target}
        )
        out["task"].append(
            {
                "id": task_id,
                "title": f"Follow up #{i + 1}",
                "status": rng.choice(_TASK_STATUS),
                "dueAt": _ts(rng),
                "assigneeId": rng.choice(members),
                "createdAt": _ts(rng),
                "position": float(i),
            }
        )
    _demo_workspace_items(out, members, [c for c, _ in companies], [p for p, _ in people])
    for records in out.values():
        for rec in records:
            rec.setdefault("createdAt", "2025-01-01T00:00:00.000Z")
            rec.setdefault("updatedAt", rec["createdAt"])
    return out


def _rid(name: str, i: int) -> str:
    return deterministic_id("demo", name, str(i))


def _demo_workspace_items(
    out: dict[str, list[dict[str, Any]]],
    members: list[str],
    companies: list[str],
    people: list[str],
) -> None:
    """Favorites, a dashboard, the first member's mailbox and calendar: fixed values, no rng
    (the CRM records above keep their sequence)."""
    out["dashboard"].append({"id": _rid("dashboard", 0), "title": "Pipeline overview"})
    for i, name in enumerate(("Key accounts", "Hiring")):
        out["favoriteFolder"].append(
            {"id": _rid("favoriteFolder", i), "name": name, "position": float(i)}
        )
    targets: list[dict[str, Any]] = [
        {"companyId": companies[0], "favoriteFolderId": _rid("favoriteFolder", 0)},
        {"companyId": companies[1], "favoriteFolderId": _rid("favoriteFolder", 0)},
        {"personId": people[0], "favoriteFolderId": _rid("favoriteFolder", 1)},
        {"personId": people[1]},
        {"opportunityId": _rid("opportunity", 0)},
        {"dashboardId": _rid("dashboard", 0)},
    ]
    for i, target in enumerate(targets):
        out["favorite"].append(
            {
                "id": _rid("favorite", i),
                "forWorkspaceMemberId": members[0],
                "position": float(i),
                **target,
            }
        )
    _demo_mailbox(out, members[0], people)
    _demo_calendar(out, members[0], people)


def _demo_mailbox(out: dict[str, list[dict[str, Any]]], member: str, people: list[str]) -> None:
    account, channel = _rid("connectedAccount", 0), _rid("messageChannel", 0)
    handle = out["workspaceMember"][0]["userEmail"]
    out["connectedAccount"].append({"id": account, "handle": handle, "accountOwnerId": member})
    out["messageChannel"].append({"id": channel, "handle": handle, "connectedAccountId": account})
    for i, (name, sent) in enumerate((("INBOX", False), ("Sent", True))):
        out["messageFolder"].append(
            {
                "id": _rid("messageFolder", i),
                "name": name,
                "isSentFolder": sent,
                "isSynced": True,
                "messageChannelId": channel,
            }
        )
    subjects = ("Intro call", "Proposal follow-up", "Contract questions")
    for t, subject in enumerate(subjects):
        thread = _rid("messageThread", t)
        out["messageThread"].append({"id": thread})
        for k in range(2):
            i = t * 2 + k
            outgoing = k == 1
            message = _rid("message", i)
            contact = people[t]
            out["message"].append(
                {
                    "id": message,
                    "subject": subject if not outgoing else f"Re: {subject}",
                    "text": f"Message {i + 1} of the '{subject}' thread.",
                    "direction": "OUTGOING" if outgoing else "INCOMING",
                    "headerMessageId": f"<demo-{i}@example.com>",
                    "receivedAt": f"2025-03-{t + 1:02d}T{9 + k:02d}:00:00.000Z",
                    "messageThreadId": thread,
                }
            )
            sender = {"workspaceMemberId": member} if outgoing else {"personId": contact}
            recipient = {"personId": contact} if outgoing else {"workspaceMemberId": member}
            for j, (role, who) in enumerate((("from", sender), ("to", recipient))):
                out["messageParticipant"].append(
                    {
                        "id": _rid("messageParticipant", i * 2 + j),
                        "messageId": message,
                        "role": role,
                        "handle": handle
                        if "workspaceMemberId" in who
                        else out["person"][t]["emails"]["primaryEmail"],
                        **who,
                    }
                )
            out["messageChannelMessageAssociation"].append(
                {
                    "id": _rid("messageChannelMessageAssociation", i),
                    "messageChannelId": channel,
                    "messageThreadId": thread,
                    "messageId": message,
                    "direction": "OUTGOING" if outgoing else "INCOMING",
                    "messageExternalId": f"demo-{i}",
                }
            )


def _demo_calendar(out: dict[str, list[dict[str, Any]]], member: str, people: list[str]) -> None:
    channel = _rid("calendarChannel", 0)
    handle = out["workspaceMember"][0]["userEmail"]
    out["calendarChannel"].append(
        {
            "id": channel,
            "handle": handle,
            "connectedAccountId": _rid("connectedAccount", 0),
        }
    )
    for i, title in enumerate(("Discovery call", "Demo", "Quarterly review")):
        event = _rid("calendarEvent", i)
        out["calendarEvent"].append(
            {
                "id": event,
                "title": title,
                "startsAt": f"2025-04-{i + 1:02d}T14:00:00.000Z",
                "endsAt": f"2025-04-{i + 1:02d}T14:30:00.000Z",
                "location": "Video call",
                "iCalUid": f"demo-event-{i}@example.com",
            }
        )
        participants = (
            {"workspaceMemberId": member, "isOrganizer": True, "responseStatus": "ACCEPTED"},
            {"personId": people[i], "isOrganizer": False, "responseStatus": "TENTATIVE"},
        )
        for j, who in enumerate(participants):
            out["calendarEventParticipant"].append(
                {
                    "id": _rid("calendarEventParticipant", i * 2 + j),
                    "calendarEventId": event,
                    "handle": handle if j == 0 else out["person"][i]["emails"]["primaryEmail"],
                    **who,
                }
            )
        out["calendarChannelEventAssociation"].append(
            {
                "id": _rid("calendarChannelEventAssociation", i),
                "calendarChannelId": channel,
                "calendarEventId": event,
                "eventExternalId": f"demo-event-{i}",
            }
        )

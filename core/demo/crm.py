"""Customers with their contacts, converted leads, team members and pool history (CUS-2…5).

Everything for one chunk of customers is generated before anything is written, because a
customer row carries facts decided by its children (dealt_at, last_followup_at)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from core import match_keys
from core.demo import names, texts
from core.demo.context import Ctx
from core.demo.gen import DAY, HOUR, join, segments, strings, take
from core.demo.places import Places


def customers(ctx: Ctx, places: Places, n: int) -> dict:
    """Decide who owns each customer and when: the frame the rest of the chunk hangs on."""
    rnd, org, now = ctx.rnd, ctx.org, ctx.now
    c = {"id": ctx.writer.ids("customers", n)}
    c["pool"] = rnd.chance(0.10, n)
    c["first_owner"] = org.pick_sales(rnd, n)
    c["created"] = rnd.daytime(ctx.start, now - 3 * DAY, n)
    age = now - c["created"]
    c["claimed"] = ~c["pool"] & rnd.chance(0.06, n) & (age > 60 * DAY)
    other = org.pick_sales(rnd, n)
    other = np.where(other == c["first_owner"], org.superior[c["first_owner"]], other)
    other = np.where(other == 0, org.ids["manager"], other)
    c["owner"] = np.where(c["pool"], 0, np.where(c["claimed"], other, c["first_owner"]))
    release_hi = np.where(c["pool"], now - DAY, c["created"] + age // 2)
    c["released"] = np.where(
        c["pool"] | c["claimed"], rnd.between(c["created"] + DAY, release_hi, n), 0
    )
    claim = rnd.between(c["released"] + DAY, now - 3 * DAY, n)
    c["owned_since"] = np.where(c["pool"], 0, np.where(c["claimed"], claim, c["created"]))
    c["lo"] = np.where(c["pool"], c["created"], c["owned_since"])  # activity window
    c["hi"] = np.where(c["pool"], c["released"], now)
    c["author"] = np.where(c["pool"], c["first_owner"], c["owner"])
    owned_days = (now - c["owned_since"]) / DAY
    p_deal = 0.45 * np.clip(owned_days / 120, 0.15, 1.0)
    c["dealt"] = ~c["pool"] & (owned_days > 10) & rnd.chance(p_deal, n)
    levels = len(ctx.options["customer_level"])
    c["level"] = np.where(
        c["dealt"], rnd.index(levels, n, [30, 55, 15]), rnd.index(levels, n, [10, 45, 45])
    )
    c["industry"] = rnd.index(len(ctx.options["industry"]), n)
    c["city"] = places.cities(ctx, c["author"])
    made = places.company(ctx, c["city"], c["industry"])
    c["name"], c["brand_py"] = made["name"], made["py"]
    return c


def write_customers(ctx: Ctx, places: Places, c: dict) -> None:
    rnd, n, opts = ctx.rnd, len(c["id"]), ctx.options
    website = join("www.", take(places.py, c["city"]), c["brand_py"], ".com")
    website = pc.if_else(pa.array(rnd.chance(0.55, n)), website, "")
    owned = c["owner"] > 0
    updated = np.maximum.reduce([c["created"], c["last_followup"], c["dealt_at"], c["owned_since"]])
    notes = strings(texts.CUSTOMER_NOTES)
    row = {
        "id": c["id"],
        "name": c["name"],
        "level": take(strings(opts["customer_level"]), c["level"]),
        "source": rnd.pick(
            opts["source"], n, [20, 15, 20, 20, 8, 12, 5][: len(opts["source"])] or None
        ),
        "industry": take(strings(opts["industry"]), c["industry"]),
        "province": take(places.province, c["city"]),
        "city": take(places.full, c["city"]),
        "address": places.address(ctx, c["city"]),
        "phone": places.phone(ctx, c["city"]),
        "website": website,
        "is_dealt": c["dealt"],
        "dealt_at": c["dealt_at"],
        "is_locked": owned & rnd.chance(0.03, n),
        "next_contact_at": np.where(
            owned & rnd.chance(0.4, n), rnd.between(ctx.now + HOUR, ctx.now + 14 * DAY, n), 0
        ),
        "last_followup_at": c["last_followup"],
        "owned_since": c["owned_since"],
        "pool_id": np.where(c["pool"], ctx.refs["pool"], 0),
        "notes": take(notes, rnd.index(len(notes), n)),
        "owner_id": c["owner"],
        "created_by_id": c["first_owner"],
        "created_at": c["created"],
        "updated_at": updated,
    }
    ctx.writer.append("customers", row | match_keys.bulk_keys("customers", row))


def contacts(ctx: Ctx, c: dict) -> dict:
    rnd = ctx.rnd
    counts = 1 + rnd.index(4, len(c["id"]), [55, 28, 12, 5])
    parent, rank = segments(counts)
    n = len(parent)
    people = ctx.people.make(rnd, n)
    titles = names.CONTACT_TITLES
    title = np.where(rank == 0, rnd.index(names.DECISION_TITLES, n), rnd.index(len(titles), n))
    created = np.minimum(c["created"][parent] + rnd.ints(0, 2 * DAY, n), ctx.now - HOUR)
    ids = ctx.writer.ids("contacts", n)
    domain = join(c["brand_py"], ".com")
    return {
        "id": ids,
        "parent": parent,
        "first": ids[np.cumsum(counts) - counts],
        "customer_id": c["id"][parent],
        "name": people["name"],
        "mobile": ctx.people.mobiles(rnd, n),
        "email": ctx.people.emails(rnd, people["pinyin"], take(domain, parent)),
        "title": take(strings(titles), title),
        "is_decision_maker": title < names.DECISION_TITLES,
        "gender": people["gender"],
        "owner_id": c["owner"][parent],
        "created_by_id": c["author"][parent],
        "created_at": created,
        "updated_at": created,
    }


def write_contacts(ctx: Ctx, k: dict) -> None:
    cols = {key: v for key, v in k.items() if key not in ("parent", "first")}
    ctx.writer.append("contacts", cols)


def converted_leads(ctx: Ctx, c: dict, k: dict) -> dict:
    """About a third of customers came from a lead, converted when the customer was created."""
    rnd = ctx.rnd
    sel = np.flatnonzero(rnd.chance(0.3, len(c["id"])))
    n = len(sel)
    converted = c["created"][sel]
    created = np.maximum(converted - rnd.ints(DAY, 45 * DAY, n), ctx.start - 60 * DAY)
    first = k["first"][sel] - k["id"][0]
    levels = ctx.options["lead_level"]
    lead = {
        "id": ctx.writer.ids("leads", n),
        "name": take(k["name"], first),
        "company": take(c["name"], sel),
        "source": rnd.pick(ctx.options["source"], n),
        "mobile": take(k["mobile"], first),
        "email": take(k["email"], first),
        "industry": take(strings(ctx.options["industry"]), c["industry"][sel]),
        "level": take(strings(levels), rnd.index(len(levels), n, [40, 40, 20])),
        "is_converted": True,
        "converted_at": converted,
        "customer_id": c["id"][sel],
        "owner_id": c["first_owner"][sel],
        "created_by_id": c["first_owner"][sel],
        "created_at": created,
        "updated_at": converted,
    }
    return lead | match_keys.bulk_keys("leads", lead)


def pool_events(ctx: Ctx, c: dict) -> dict:
    """Released / recalled customers, and the later claim or assignment of claimed ones."""
    rnd, org = ctx.rnd, ctx.org
    out = np.flatnonzero(c["pool"] | c["claimed"])
    back = np.flatnonzero(c["claimed"])
    recall = rnd.chance(0.4, len(out))
    reasons = strings(texts.RELEASE_REASONS)
    reason_out = pc.if_else(
        pa.array(recall), texts.RECALL_REASON, take(reasons, rnd.index(len(reasons), len(out)))
    )
    assign = rnd.chance(0.3, len(back))
    owner = c["owner"][back]
    actor_in = np.where(assign, org.superior[owner], owner)
    actor_in = np.where(actor_in == 0, org.ids["manager"], actor_in)
    n_out, n_in = len(out), len(back)
    at = np.concatenate([c["released"][out], c["owned_since"][back]])
    return {
        "id": ctx.writer.ids("pool_events", n_out + n_in),
        "customer_id": np.concatenate([c["id"][out], c["id"][back]]),
        "pool_id": ctx.refs["pool"],
        "kind": np.concatenate(
            [np.where(recall, "recall", "release"), np.where(assign, "assign", "claim")]
        ),
        "actor_id": np.concatenate([np.where(recall, 0, c["first_owner"][out]), actor_in]),
        "from_owner_id": np.concatenate([c["first_owner"][out], np.zeros(n_in, dtype=np.int64)]),
        "to_owner_id": np.concatenate([np.zeros(n_out, dtype=np.int64), owner]),
        "reason": pa.concat_arrays([reason_out, pa.repeat(pa.scalar(""), n_in)]),
        "happened_at": at,
        "updated_at": at,
    }


def team_members(ctx: Ctx, c: dict) -> dict:
    rnd = ctx.rnd
    sel = np.flatnonzero((c["owner"] > 0) & rnd.chance(0.08, len(c["id"])))
    mate = ctx.org.teammate(rnd, c["owner"][sel])
    keep = mate > 0
    sel, mate = sel[keep], mate[keep]
    return {
        "id": ctx.writer.ids("customer_team_members", len(sel)),
        "customer_id": c["id"][sel],
        "user_id": mate,
        "access": np.where(rnd.chance(0.6, len(sel)), "read", "write"),
    }


def lead_chunk(ctx: Ctx, places: Places, n: int) -> dict:
    """Leads never converted (yet): their own companies, a few in the recycle bin."""
    rnd, now = ctx.rnd, ctx.now
    owner = ctx.org.pick_sales(rnd, n)
    created = rnd.daytime(ctx.start, now - HOUR, n)
    industry = rnd.index(len(ctx.options["industry"]), n)
    city = places.cities(ctx, owner)
    company = places.company(ctx, city, industry)
    people = ctx.people.make(rnd, n)
    levels, notes = ctx.options["lead_level"], strings(texts.LEAD_NOTES)
    deleted = np.where(rnd.chance(0.005, n), rnd.between(created, now, n), 0)
    lead = {
        "id": ctx.writer.ids("leads", n),
        "name": people["name"],
        "company": company["name"],
        "source": rnd.pick(ctx.options["source"], n),
        "phone": pc.if_else(pa.array(rnd.chance(0.4, n)), places.phone(ctx, city), ""),
        "mobile": ctx.people.mobiles(rnd, n),
        "email": ctx.people.emails(rnd, people["pinyin"]),
        "address": places.address(ctx, city),
        "industry": take(strings(ctx.options["industry"]), industry),
        "level": take(strings(levels), rnd.index(len(levels), n, [25, 45, 30])),
        "next_contact_at": np.where(
            rnd.chance(0.4, n), rnd.between(now + HOUR, now + 10 * DAY, n), 0
        ),
        "notes": take(notes, rnd.index(len(notes), n)),
        "owner_id": owner,
        "created_by_id": owner,
        "created_at": created,
        "updated_at": np.maximum(created, deleted),
        "deleted_at": deleted,
    }
    return lead | match_keys.bulk_keys("leads", lead)

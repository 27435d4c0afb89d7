"""Opportunities (CUS-6): product lines and totals, stage moves kept in order with user and time,
closing as won / lost / invalid, reopening, the kanban figures, and bad input that changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.errors import InvalidTransition, NotFound, ValidationFailed
from core.models import ChangeLog, Opportunity, OpportunityLine, OpportunityStatus
from core.services import opportunities, stages
from tests.services.sales_data import customer, line, product


@pytest.fixture
def rep(session, org):
    return org.actor(session, "sales1")


@pytest.fixture
def client(session, org):
    return customer(session, org)


def make(session, actor, customer_id, name="ERP 升级项目", **kwargs):
    return opportunities.create(
        session, actor=actor, values={"name": name, "customer_id": customer_id}, **kwargs
    )


def test_lines_give_the_amount_with_list_price_default_and_order_discount(session, rep, client):
    a, b = product(session, "A", "100.00"), product(session, "B", "19.99")
    opp = make(
        session,
        rep,
        client.id,
        lines=[line(a.id, "2"), line(b.id, "3", price="20.00", discount="10")],
        discount_rate="5",
    )
    stored = opportunities.lines(session, actor=rep, opportunity_id=opp.id)
    assert [(x.price, x.subtotal) for x in stored] == [
        (Decimal("100.00"), Decimal("200.00")),
        (Decimal("20.00"), Decimal("54.00")),
    ]
    assert opp.amount == Decimal("241.30")  # 254.00 × 95 %
    assert opp.discount_rate == Decimal("5")


def test_without_lines_the_typed_estimate_is_the_amount(session, rep, client):
    opp = opportunities.create(
        session,
        actor=rep,
        values={"name": "咨询项目", "customer_id": client.id, "amount": "8,000"},
        discount_rate="10",
    )
    assert (opp.amount, opp.discount_rate) == (Decimal("8000.00"), Decimal("0"))


def test_a_new_opportunity_starts_in_the_first_stage_of_the_default_group(session, rep, client):
    opp = make(session, rep, client.id)
    group = stages.default_group(session)
    assert opp.stage_group_id == group.id
    assert opp.stage_id == stages.stages_of(session, group_id=group.id)[0].id
    assert opp.status == OpportunityStatus.OPEN and opp.owner_id == rep.user_id


def test_stage_history_lists_every_move_in_order_with_the_user(session, org, rep, client):
    opp = make(session, rep, client.id)
    s1, s2, s3, _s4 = stages.stages_of(session, group_id=opp.stage_group_id)
    opportunities.change_stage(session, actor=rep, opportunity_id=opp.id, stage_id=s3.id)
    manager = org.actor(session, "manager")
    opportunities.change_stage(session, actor=manager, opportunity_id=opp.id, stage_id=s2.id)
    steps = opportunities.stage_history(session, actor=rep, opportunity_id=opp.id)
    assert [(s.from_stage, s.to_stage, s.changed_by) for s in steps] == [
        ("", s1.name, "sales1"),
        (s1.name, s3.name, "sales1"),
        (s3.name, s2.name, "manager"),
    ]
    logged = session.scalars(
        select(ChangeLog.action).where(
            ChangeLog.entity == "opportunity", ChangeLog.record_id == opp.id
        )
    ).all()
    assert logged == ["create", "stage", "stage"]


def test_a_stage_of_another_group_is_refused(session, org, rep, client):
    other = stages.create_group(
        session, actor=org.actor(session, "admin"), name="渠道", stages=[("接洽", 10)]
    )
    opp = make(session, rep, client.id)
    foreign = stages.stages_of(session, group_id=other.id)[0]
    with pytest.raises(ValidationFailed):
        opportunities.change_stage(session, actor=rep, opportunity_id=opp.id, stage_id=foreign.id)


def test_won_moves_to_the_last_stage_and_is_final(session, rep, client):
    opp = make(session, rep, client.id)
    opportunities.close(session, actor=rep, opportunity_id=opp.id, outcome="won")
    last = stages.stages_of(session, group_id=opp.stage_group_id)[-1]
    assert (opp.status, opp.stage_id, opp.closed_at is not None) == ("won", last.id, True)
    for action in (
        lambda: opportunities.reopen(session, actor=rep, opportunity_id=opp.id),
        lambda: opportunities.close(session, actor=rep, opportunity_id=opp.id, outcome="lost"),
        lambda: opportunities.change_stage(
            session, actor=rep, opportunity_id=opp.id, stage_id=last.id
        ),
        lambda: opportunities.update(
            session, actor=rep, opportunity_id=opp.id, values={"name": "改名"}
        ),
    ):
        with pytest.raises(InvalidTransition):
            action()


def test_lost_needs_a_reason_from_the_option_list(session, rep, client):
    opp = make(session, rep, client.id)
    for reason in ("", "<script>alert(1)</script>", "不想买了"):
        with pytest.raises(ValidationFailed):
            opportunities.close(
                session, actor=rep, opportunity_id=opp.id, outcome="lost", reason=reason
            )
    assert opp.status == OpportunityStatus.OPEN
    opportunities.close(
        session, actor=rep, opportunity_id=opp.id, outcome="lost", reason="价格太高"
    )
    assert (opp.status, opp.lost_reason) == ("lost", "价格太高")


@pytest.mark.parametrize("outcome", ["lost", "invalid"])
def test_lost_and_invalid_reopen_in_the_stage_they_were_in(session, rep, client, outcome):
    opp = make(session, rep, client.id)
    second = stages.stages_of(session, group_id=opp.stage_group_id)[1]
    opportunities.change_stage(session, actor=rep, opportunity_id=opp.id, stage_id=second.id)
    reason = "价格太高" if outcome == "lost" else ""
    opportunities.close(session, actor=rep, opportunity_id=opp.id, outcome=outcome, reason=reason)
    opportunities.reopen(session, actor=rep, opportunity_id=opp.id)
    assert (opp.status, opp.stage_id, opp.lost_reason, opp.closed_at) == (
        "open",
        second.id,
        "",
        None,
    )
    steps = opportunities.stage_history(session, actor=rep, opportunity_id=opp.id)
    assert [s.to_status for s in steps] == ["open", "open", outcome, "open"]


def test_an_open_opportunity_cannot_be_reopened(session, rep, client):
    opp = make(session, rep, client.id)
    with pytest.raises(InvalidTransition):
        opportunities.reopen(session, actor=rep, opportunity_id=opp.id)


@pytest.mark.parametrize(
    ("bad_line", "discount", "key"),
    [
        ({"quantity": "-1"}, None, "order.error.quantity"),
        ({"quantity": "0"}, None, "order.error.quantity"),
        ({"price": "-5"}, None, "order.error.price"),
        ({"discount_rate": "101"}, None, "order.error.discount"),
        ({"quantity": "'; DROP TABLE opportunities; --"}, None, "order.error.quantity"),
        ({"product_id": 99999}, None, "order.error.product"),
        ({}, "150", "order.error.discount"),
        ({"quantity": "1.005"}, None, "order.error.decimals"),
    ],
)
def test_bad_lines_are_refused_with_a_translated_error_and_nothing_saved(
    session, rep, client, bad_line, discount, key
):
    item = product(session)
    with pytest.raises(ValidationFailed) as failed:
        make(session, rep, client.id, lines=[line(item.id) | bad_line], discount_rate=discount)
    (found,) = failed.value.errors.values()
    assert found[0] == key
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Opportunity)) == 0
    assert session.scalar(select(func.count()).select_from(OpportunityLine)) == 0


def test_script_and_sql_text_in_the_name_are_kept_as_plain_text(session, rep, client):
    opp = make(session, rep, client.id, name="<script>alert(1)</script>' OR 1=1 --")
    assert opp.name == "<script>alert(1)</script>' OR 1=1 --"


def test_a_customer_out_of_scope_cannot_be_chosen(session, org, rep):
    foreign = customer(session, org, owner="sales2")
    with pytest.raises(ValidationFailed) as failed:
        make(session, rep, foreign.id)
    assert "customer_id" in failed.value.errors


def test_edit_replaces_lines_and_keeps_the_amount_when_lines_are_left_alone(session, rep, client):
    a = product(session, "A", "100.00")
    opp = make(session, rep, client.id, lines=[line(a.id, "2")])
    opportunities.update(
        session, actor=rep, opportunity_id=opp.id, values={"name": "新名称", "amount": "1"}
    )
    assert opp.amount == Decimal("200.00")
    opportunities.update(
        session, actor=rep, opportunity_id=opp.id, values={}, lines=[line(a.id, "5")]
    )
    assert opp.amount == Decimal("500.00")


def test_kanban_counts_and_sums_visible_open_opportunities_per_stage(session, org, rep, client):
    a = product(session, "A", "100.00")
    first, second, *_ = stages.stages_of(session, group_id=stages.default_group(session).id)
    make(session, rep, client.id, lines=[line(a.id, "1")])
    moved = make(session, rep, client.id, lines=[line(a.id, "3")])
    opportunities.change_stage(session, actor=rep, opportunity_id=moved.id, stage_id=second.id)
    won = make(session, rep, client.id, lines=[line(a.id, "9")])
    opportunities.close(session, actor=rep, opportunity_id=won.id, outcome="won")
    other = org.actor(session, "sales2")
    make(session, other, customer(session, org, owner="sales2").id, lines=[line(a.id, "7")])
    group_id = stages.default_group(session).id
    columns = opportunities.kanban(session, actor=rep, group_id=group_id)
    assert [(c.count, c.amount) for c in columns[:2]] == [
        (1, Decimal("100.00")),
        (1, Decimal("300.00")),
    ]
    assert sum(c.count for c in columns) == 2
    closed = opportunities.closed_summary(session, actor=rep, group_id=group_id)
    assert closed["won"] == (1, Decimal("900.00"))
    manager = org.actor(session, "manager")
    assert (
        sum(c.count for c in opportunities.kanban(session, actor=manager, group_id=group_id)) == 3
    )


def test_a_rep_cannot_move_a_colleagues_opportunity(session, org, rep):
    other = org.actor(session, "sales2")
    opp = make(session, other, customer(session, org, owner="sales2").id)
    second = stages.stages_of(session, group_id=opp.stage_group_id)[1]
    with pytest.raises(NotFound):
        opportunities.change_stage(session, actor=rep, opportunity_id=opp.id, stage_id=second.id)

"""Kanboard (PHP project management) on PostgreSQL, from its shipped ``postgres.sql``.

Hard cases: 王伟 (1) owns a project others work in (their tasks, comments, files, activity);
王伟 (3) shares the display name; person 12 is known only by an invitation sent to their email.
Copies without a foreign key: a task's ``owner_id``/``creator_id`` and a comment's ``user_id``
have none in this schema; activity and notification rows hold JSON naming other people; PHP
sessions hold the user's name and email; four tables have no primary key.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import sqlalchemy as sa

from tests.acceptance.people import Person, people, person
from tests.acceptance.truth import Application, Key, Label, Subject

SCHEMA = Path(__file__).with_name("postgres.sql")
PEOPLE = 14
GHOST = 12  # invited by email, never signed up
OWNER = 1
DAY = 86_400
T0 = 1_772_355_600  # 2026-03-01 09:00 UTC
AGENT = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15"
#: project owner -> members (the owner included)
PROJECTS = {1: (1, 2, 3, 4, 6), 0: (0, 5, 6, 7), 9: (9, 10, 11)}
#: (project owner, creator, assignee, title)
TASKS = [
    (1, 1, 2, "准备季度报告"),
    (1, 2, 1, "Review the onboarding checklist"),
    (1, 3, 3, "整理客户反馈"),
    (1, 4, 6, "Update the release notes"),
    (0, 0, 5, "Draft the landing page copy"),
    (0, 6, 7, "Fix the newsletter template"),
    (9, 9, 10, "盘点库存"),
    (9, 11, 9, "Plan the team offsite"),
]
#: (task index, author, text): replies by others on 1's tasks, 1's on others'
COMMENTS = [
    (0, 2, "我来负责第二部分。"),
    (0, 3, "数据已更新,请查看。"),
    (1, 1, "Looks good to me."),
    (3, 6, "Done, see the attachment."),
    (4, 5, "Draft attached."),
    (6, 10, "已完成盘点。"),
]


def php_session(user_id: int, p: Person) -> str:
    """``$_SESSION`` as PHP serializes it (Kanboard keeps the user record in the session)."""
    texts = {"username": p.username, "name": p.display, "email": p.email}
    body = f's:2:"id";i:{user_id};' + "".join(
        f's:{len(k)}:"{k}";s:{len(v.encode())}:"{v}";' for k, v in texts.items()
    )
    return f"user|a:{len(texts) + 1}:{{{body}}}"


def build(url: str) -> None:
    """Load the shipped schema into the empty database at ``url`` and fill it."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(SCHEMA.read_text("utf-8"))
        with engine.begin() as conn:
            conn.exec_driver_sql("SET search_path TO public")
            _fill(conn)
    finally:
        engine.dispose()


def _insert(conn: sa.Connection, table: str, returning: str | None = None, **values: object) -> int:
    columns = ", ".join(f'"{c}"' for c in values)
    marks = ", ".join(f":{c}" for c in values)
    tail = f" RETURNING {returning}" if returning else ""
    result = conn.execute(
        sa.text(f'INSERT INTO "{table}" ({columns}) VALUES ({marks}){tail}'), values
    )
    return int(result.scalar_one()) if returning else 0


def _fill(conn: sa.Connection) -> None:
    users = _users(conn)
    projects, tasks = _projects(conn, users), []
    for n, (owner, creator, assignee, title) in enumerate(TASKS):
        project, column, lane = projects[owner]
        task = _insert(
            conn,
            "tasks",
            "id",
            title=title,
            project_id=project,
            column_id=column,
            swimlane_id=lane,
            creator_id=users[creator],
            owner_id=users[assignee],
            date_creation=T0 + n * DAY,
            description="",
        )
        tasks.append(task)
        sub = _insert(
            conn,
            "subtasks",
            "id",
            title="第一步" if n % 2 else "First step",
            task_id=task,
            user_id=users[assignee],
        )
        _insert(
            conn,
            "subtask_time_tracking",
            user_id=users[assignee],
            subtask_id=sub,
            start=T0,
            end=T0 + 3600,
            time_spent=1.0,
        )
        _activity(conn, "task.create", creator, project, task, users, (title, creator, assignee))
        _notify(conn, assignee, "task.create", users, (title, creator, assignee))
    for n, (task_index, author, text) in enumerate(COMMENTS):
        _, creator, assignee, title = TASKS[task_index]
        _insert(
            conn,
            "comments",
            task_id=tasks[task_index],
            user_id=users[author],
            date_creation=T0 + n * DAY,
            comment=text,
        )
        project = projects[TASKS[task_index][0]][0]
        _activity(
            conn,
            "comment.create",
            author,
            project,
            tasks[task_index],
            users,
            (title, creator, assignee),
        )
        if assignee != author:
            _notify(conn, assignee, "comment.create", users, (title, author, assignee))
    _insert(
        conn,
        "task_has_files",
        name="季度报告.pdf",
        path="tasks/1/report.pdf",
        task_id=tasks[0],
        user_id=users[OWNER],
    )
    _insert(
        conn,
        "project_has_files",
        project_id=projects[OWNER][0],
        name="brief.docx",
        path="projects/1/brief.docx",
        user_id=users[2],
    )
    ghost = person(GHOST)
    _insert(conn, "invites", email=ghost.email, project_id=projects[OWNER][0], token="f3a9c1d2e4b5")


def _users(conn: sa.Connection) -> dict[int, int]:
    users = {}
    for p in people(PEOPLE):
        if p.n == GHOST:
            continue
        uid = _insert(
            conn,
            "users",
            "id",
            username=p.username,
            name=p.display,
            email=p.email,
            password="$2y$10$" + f"{p.n:02d}" * 26,
            language="zh_CN" if p.chinese else "en_US",
            timezone="Asia/Shanghai" if p.chinese else "Europe/London",
        )
        users[p.n] = uid
        _insert(conn, "user_has_metadata", user_id=uid, name="phone", value=p.phone)
        _insert(
            conn,
            "last_logins",
            auth_type="Database",
            user_id=uid,
            ip=p.ip,
            user_agent=AGENT,
            date_creation=T0 + p.n,
        )
        _insert(
            conn,
            "remember_me",
            user_id=uid,
            ip=p.ip,
            user_agent=AGENT,
            token=f"rm{p.n:030d}",
            sequence=f"sq{p.n:030d}",
            expiration=T0 + 30 * DAY,
            date_creation=T0,
        )
        _insert(
            conn, "sessions", id=f"sess{p.n:028d}", expire_at=T0 + DAY, data=php_session(uid, p)
        )
        if p.n % 3 == 0:
            _insert(
                conn,
                "password_reset",
                token=f"pr{p.n:030d}",
                user_id=uid,
                date_expiration=T0 + DAY,
                date_creation=T0,
                ip=p.ip,
                user_agent=AGENT,
                is_active=True,
            )
        _insert(conn, "user_has_notification_types", user_id=uid, notification_type="email")
    return users


def _projects(conn: sa.Connection, users: dict[int, int]) -> dict[int, tuple[int, int, int]]:
    """Each owner's project: (project id, its first column, its swimlane); members joined."""
    made = {}
    for owner, members in PROJECTS.items():
        p = person(owner)
        name = f"{p.display}的项目" if p.chinese else f"{p.first}'s project"
        project = _insert(
            conn, "projects", "id", name=name, owner_id=users[owner], is_private=False
        )
        column = _insert(conn, "columns", "id", title="Backlog", position=1, project_id=project)
        _insert(conn, "columns", title="Done", position=2, project_id=project)
        lane = _insert(conn, "swimlanes", "id", name="Default swimlane", project_id=project)
        for member in members:
            role = "project-manager" if member == owner else "project-member"
            _insert(conn, "project_has_users", project_id=project, user_id=users[member], role=role)
            _insert(conn, "user_has_notifications", user_id=users[member], project_id=project)
        made[owner] = (project, column, lane)
    return made


def _task_json(title: str, creator: int, assignee: int) -> dict[str, object]:
    c, a = person(creator), person(assignee)
    return {
        "title": title,
        "creator_username": c.username,
        "creator_name": c.display,
        "assignee_username": a.username,
        "assignee_name": a.display,
        "assignee_email": a.email,
    }


def _activity(
    conn: sa.Connection,
    event: str,
    actor: int,
    project: int,
    task: int,
    users: dict[int, int],
    about: tuple[str, int, int],
) -> None:
    data = json.dumps({"task": _task_json(*about)}, ensure_ascii=False)
    _insert(
        conn,
        "project_activities",
        date_creation=T0,
        event_name=event,
        creator_id=users[actor],
        project_id=project,
        task_id=task,
        data=data,
    )


def _notify(
    conn: sa.Connection, to: int, event: str, users: dict[int, int], about: tuple[str, int, int]
) -> None:
    data = json.dumps({"task": _task_json(*about)}, ensure_ascii=False)
    _insert(
        conn,
        "user_has_unread_notifications",
        user_id=users[to],
        date_creation=T0,
        event_name=event,
        event_data=data,
    )


def _named(
    conn: sa.Connection, table: str, column: str, user: str | None = None
) -> Iterator[tuple[Key, str]]:
    """Rows are their user's, and also of everyone their text names (it is data about them)."""
    everyone = [p.username for p in people(PEOPLE)]
    for row_key, text in conn.execute(sa.text(f"SELECT id, {column} FROM {table}")):
        for username in everyone:
            if username in text:
                yield (str(row_key),), username
    if user is not None:
        for row_key, owner in conn.execute(sa.text(_by_user(table, column=user))):
            yield (str(row_key),), owner


def _sessions(conn: sa.Connection) -> Iterable[tuple[Key, str]]:
    yield from _named(conn, "sessions", "data")


def _activities(conn: sa.Connection) -> Iterable[tuple[Key, str]]:
    yield from _named(conn, "project_activities", "data", "creator_id")


def _notifications(conn: sa.Connection) -> Iterable[tuple[Key, str]]:
    yield from _named(conn, "user_has_unread_notifications", "event_data", "user_id")


def _invites(conn: sa.Connection) -> Iterable[tuple[Key, str]]:
    by_email = {p.email: p.username for p in people(PEOPLE)}
    for email, token in conn.execute(sa.text("SELECT email, token FROM invites")):
        yield (email, token), by_email[email]


def _by_user(table: str, key: str = "t.id", column: str = "user_id") -> str:
    return f"SELECT {key}, u.username AS owner FROM {table} t JOIN users u ON u.id = t.{column}"


_ALL = "t.*"  # a table without a primary key is keyed by all its columns
LABELS: dict[str, Label] = {
    "users": "SELECT id, username AS owner FROM users",
    "projects": _by_user("projects", column="owner_id"),
    "project_has_users": _by_user("project_has_users", _ALL),
    "user_has_notifications": _by_user("user_has_notifications", _ALL),
    "user_has_metadata": _by_user("user_has_metadata", _ALL),
    "group_has_users": _by_user("group_has_users", _ALL),
    "user_has_notification_types": _by_user("user_has_notification_types"),
    # a task is its creator's and its assignee's; a comment only its author's
    "tasks": _by_user("tasks", column="creator_id")
    + " UNION "
    + _by_user("tasks", column="owner_id"),
    "comments": _by_user("comments"),
    "subtasks": _by_user("subtasks"),
    "subtask_time_tracking": _by_user("subtask_time_tracking"),
    "task_has_files": _by_user("task_has_files"),
    "project_has_files": _by_user("project_has_files"),
    "last_logins": _by_user("last_logins"),
    "remember_me": _by_user("remember_me"),
    "password_reset": _by_user("password_reset", "t.token"),
    "custom_filters": _by_user("custom_filters"),
    "transitions": _by_user("transitions"),
    "sessions": _sessions,
    "project_activities": _activities,
    "user_has_unread_notifications": _notifications,
    "invites": _invites,
}
SHARED = frozenset(
    {
        "action_has_params",
        "actions",
        "column_has_move_restrictions",
        "column_has_restrictions",
        "columns",
        "currencies",
        "groups",
        "links",
        "plugin_schema_versions",
        "predefined_task_descriptions",
        "project_daily_column_stats",
        "project_daily_stats",
        "project_has_categories",
        "project_has_groups",
        "project_has_metadata",
        "project_has_notification_types",
        "project_has_roles",
        "project_role_has_restrictions",
        "schema_version",
        "settings",
        "swimlanes",
        "tags",
        "task_has_external_links",
        "task_has_links",
        "task_has_metadata",
        "task_has_tags",
    }
)


def subjects() -> tuple[Subject, ...]:
    one, two, three, ghost = person(OWNER), person(2), person(3), person(GHOST)
    email = "email"
    return (
        Subject(
            one.username,
            ((email, one.email),),
            (one.username, one.email, one.phone, one.ip),
            "owns a project others work in; replies by others on their tasks",
        ),
        Subject(
            three.username,
            ((email, three.email),),
            (three.username, three.email, three.phone, three.ip),
            "same display name as 1; member of 1's project",
        ),
        Subject(
            two.username,
            ((email, two.email),),
            (two.username, two.email, two.phone, two.ip, two.display),
            "created a task assigned to 1; named in 1's activity and notifications",
        ),
        Subject(
            ghost.username,
            ((email, ghost.email),),
            (ghost.email,),
            "known only by an invitation to their email",
        ),
    )


APPLICATION = Application(
    name="kanboard",
    origin="Kanboard (PHP, MIT) app/Schema/Sql/postgres.sql at commit 2cba210, vendored",
    backends=("postgres",),
    sources=(Path(__file__), SCHEMA, Path(__file__).parents[2] / "people.py"),
    packages=(),
    build=build,
    labels=LABELS,
    shared=SHARED,
    subjects=subjects(),
)

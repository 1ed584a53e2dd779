# mypy: disable-error-code="import-untyped, no-untyped-call"
"""A community site: django-friendship (follows, friends, requests, blocks), django-postman
(private messages with replies and visitors' messages) and django-contrib-comments (comments on a
shared page and on people's profiles, with the author's name, email and IP address copied in).

Hard cases: 王伟 (1) is followed, befriended and written to by others and replied to in a
thread; 王伟 (3) shares the display name, which comments copy as ``user_name``; person 6 changed
email after commenting (the old one stays in ``user_email``); person 12 never registered: an
anonymous comment and a visitor's message (email and IP address only).
"""

from __future__ import annotations

from typing import Any

from tests.acceptance.apps import django_site
from tests.acceptance.people import Person, people, person
from tests.acceptance.truth import Application, Label, Subject

PEOPLE = 14
GHOST, STAR, CHANGED = 12, 1, 6
FOLLOWERS = (2, 3, 4, 8)


def _fill() -> None:
    from django.contrib.auth.models import User
    from django.contrib.flatpages.models import FlatPage
    from django.contrib.sites.models import Site
    from friendship.models import Block, Follow, Friend

    site = Site.objects.get(pk=1)
    page = FlatPage.objects.create(url="/welcome/", title="社区公告 / Welcome", content="Hello")
    page.sites.add(site)
    users: dict[int, Any] = {}
    for p in people(PEOPLE):
        if p.n != GHOST:
            email = p.old_email if p.n == CHANGED else p.email
            users[p.n] = User.objects.create_user(
                p.username, email, f"pw-{p.n}", first_name=p.first, last_name=p.last
            )
    for n in FOLLOWERS:
        Follow.objects.add_follower(users[n], users[STAR])
    Follow.objects.add_follower(users[STAR], users[5])
    request = Friend.objects.add_friend(users[3], users[STAR], message="我们是同名的!")
    request.accept()
    Friend.objects.add_friend(users[6], users[STAR], message="Hi, we met at the meetup.")
    Block.objects.add_block(users[STAR], users[7])
    _messages(users)
    _comments(users, page, site)
    users[CHANGED].email = person(CHANGED).email
    users[CHANGED].save()


def _messages(users: dict[int, Any]) -> None:
    """A thread between 1 and 2 with replies, one from 3, and a visitor's message to 1."""
    from postman.models import STATUS_ACCEPTED, Message

    def send(sender: int | None, to: int, subject: str, body: str, **extra: Any) -> Any:
        return Message.objects.create(
            subject=subject,
            body=body,
            sender=users.get(sender) if sender is not None else None,
            recipient=users[to],
            moderation_status=STATUS_ACCEPTED,
            sent_at=django_site.at(to, len(body)),
            **extra,
        )

    root = send(STAR, 2, "周末爬山?", "周六早上八点出发,你来吗?")
    root.thread = root
    root.save()
    reply = send(2, STAR, "Re: 周末爬山?", "Count me in!", parent=root, thread=root)
    send(STAR, 2, "Re: 周末爬山?", "好的,到时见。", parent=reply, thread=root)
    send(3, STAR, "同名", "我们的名字一样!")
    ghost = person(GHOST)
    send(None, STAR, "Your talk", "Could you share the slides?", email=ghost.email)


def _comments(users: dict[int, Any], page: Any, site: Any) -> None:
    """Comments on the shared page and on profiles, each copying its author's name and email."""
    from django.contrib.auth.models import User
    from django.contrib.contenttypes.models import ContentType
    from django_comments.models import Comment, CommentFlag

    page_type, user_type = (ContentType.objects.get_for_model(m) for m in (type(page), User))

    def comment(p: Person, text: str, on: Any, kind: Any) -> Any:
        user = users.get(p.n)
        return Comment.objects.create(
            content_type=kind,
            object_pk=str(on.pk),
            site=site,
            user=user,
            user_name=p.display,
            user_email=user.email if user else p.email,
            comment=text,
            ip_address=p.ip,
            submit_date=django_site.at(p.n),
        )

    for n in (STAR, 2, 3, CHANGED):
        comment(person(n), "支持!" if n % 2 else "Great news, thanks!", page, page_type)
    flagged = comment(person(2), "Happy birthday!", users[STAR], user_type)  # on 1's profile
    comment(person(3), "生日快乐!", users[STAR], user_type)
    comment(person(STAR), "谢谢大家!", users[3], user_type)
    comment(person(GHOST), "Is this open to visitors?", page, page_type)
    CommentFlag.objects.create(user=users[4], comment=flagged, flag="removal suggestion")


def _pairs(table: str, *columns: str) -> str:
    return " UNION ".join(
        f"SELECT t.id, u.username AS owner FROM {table} t JOIN auth_user u ON u.id = t.{c}"
        for c in columns
    )


def _by_email(table: str, column: str) -> str:
    return " UNION ".join(
        f"SELECT id, '{p.username}' AS owner FROM {table} WHERE {column} = '{p.email}'"
        for p in people(PEOPLE)
    )


LABELS: dict[str, Label] = {
    "auth_user": "SELECT id, username AS owner FROM auth_user",
    "auth_user_groups": _pairs("auth_user_groups", "user_id"),
    "auth_user_user_permissions": _pairs("auth_user_user_permissions", "user_id"),
    "django_admin_log": _pairs("django_admin_log", "user_id"),
    # rows that relate two people are both people's
    "friendship_follow": _pairs("friendship_follow", "follower_id", "followee_id"),
    "friendship_friend": _pairs("friendship_friend", "from_user_id", "to_user_id"),
    "friendship_friendshiprequest": _pairs(
        "friendship_friendshiprequest", "from_user_id", "to_user_id"
    ),
    "friendship_block": _pairs("friendship_block", "blocker_id", "blocked_id"),
    "postman_message": _pairs("postman_message", "sender_id", "recipient_id", "moderation_by_id")
    + " UNION "
    + _by_email("postman_message", "email"),
    # a comment is its author's (by account, else by email), also one on someone's profile:
    # a reply written by someone else is never the profile owner's
    "django_comments": _pairs("django_comments", "user_id")
    + " UNION "
    + _by_email("django_comments", "user_email"),
    "django_comment_flags": _pairs("django_comment_flags", "user_id"),  # the flagger's
}
SHARED = frozenset(
    {
        "auth_group",
        "auth_group_permissions",
        "auth_permission",
        "django_content_type",
        "django_flatpage",
        "django_flatpage_sites",
        "django_migrations",
        "django_session",
        "django_site",
    }
)


def subjects() -> tuple[Subject, ...]:
    one, three, six, ghost = person(STAR), person(3), person(CHANGED), person(GHOST)
    return (
        Subject(
            one.username,
            (("email", one.email),),
            (one.username, one.email, one.ip),
            "followed, befriended, blocked someone; a message thread with replies; shares a display name",
        ),
        Subject(
            three.username,
            (("email", three.email),),
            (three.username, three.email, three.ip),
            "same display name as 1 (copied into comments); friends with 1",
        ),
        Subject(
            six.username,
            (("email", six.email),),
            (six.username, six.email, six.old_email, six.ip, six.display),
            "changed email after commenting (old one in user_email); friend request to 1",
        ),
        Subject(
            ghost.username,
            (("email", ghost.email),),
            (ghost.email, ghost.ip, ghost.display),
            "never registered: an anonymous comment and a visitor's message",
        ),
    )


APPLICATION = Application(
    name="social",
    origin="django-friendship 1.12, django-postman 4.6, django-contrib-comments 2.2 (PyPI) on "
    "Django 5.2 auth/flatpages: their own migrations",
    backends=("sqlite", "postgres"),
    sources=django_site.sources(__file__, "social_settings.py"),
    packages=("django", "django-friendship", "django-postman", "django-contrib-comments"),
    build=lambda url: django_site.build(__name__, url),
    labels=LABELS,
    shared=SHARED,
    subjects=subjects(),
)

if __name__ == "__main__":
    django_site.migrate()
    _fill()

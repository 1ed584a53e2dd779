"""Service errors said in the page's language, chosen by the error's stable code (issue 17).

The codes are the contract between the service and its edges: the web maps codes (never the
English text) to messages, the API sends them as ``code``. These tests read the source: every
code the web says exists and is raised (with the values its message names), every error class
has a code of its own, and what the service and the web raise is such an error.
"""

# ruff: noqa: RUF001 (Chinese punctuation is the point)

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import rightsdesk
from rightsdesk.domain import errors
from rightsdesk.domain.errors import Code, RightsdeskError
from rightsdesk.web.i18n import Language
from rightsdesk.web.problems import INVALID, MESSAGES, explain, invalid

ZH, EN = Language("zh-CN"), Language("en")
ROOT = Path(rightsdesk.__file__).parent
SERVICE_DOC = (ROOT.parent.parent / "docs" / "service.md").read_text(encoding="utf-8")


def _modules() -> list[ModuleType]:
    return [
        importlib.import_module(m.name)
        for m in pkgutil.walk_packages(rightsdesk.__path__, "rightsdesk.")
        # the CLI says errors itself, in English
        if not m.name.startswith(("rightsdesk.cli", "rightsdesk.__main__"))
    ]


MODULES = _modules()


def _classes() -> set[type[RightsdeskError]]:
    found: set[type[RightsdeskError]] = set()
    todo = [RightsdeskError]
    while todo:
        kind = todo.pop()
        found.add(kind)
        todo.extend(kind.__subclasses__())
    return {k for k in found if k.__module__.startswith("rightsdesk.")}


CLASSES = _classes()


def _coded_raises() -> Iterator[tuple[str, int, Code, set[str]]]:
    """Every call that names a ``code=Code.X`` in the package: where, the code, its params."""
    for module in MODULES:
        assert module.__file__ is not None
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            given = {k.arg: k.value for k in node.keywords}
            code = given.get("code")
            if isinstance(code, ast.Attribute) and getattr(code.value, "id", "") == "Code":
                yield module.__name__, node.lineno, Code[code.attr], _keys(given.get("params"))
            elif (
                isinstance(node.func, ast.Name)
                and node.func.id == "CodeResult"
                and len(node.args) >= 4
            ):
                found = node.args[3]
                assert isinstance(found, ast.Attribute)
                params = node.args[4] if len(node.args) > 4 else None
                yield module.__name__, node.lineno, Code[found.attr], _keys(params)


def _keys(params: ast.expr | None) -> set[str]:
    """The names of a ``params`` dict literal."""
    return {k.value for k in getattr(params, "keys", []) if isinstance(k, ast.Constant)}


CODED = list(_coded_raises())


def test_every_error_class_has_a_code_of_its_own() -> None:
    """Each class of the one table (``domain/errors.py``) has its own code; a subclass declared
    elsewhere (a request's TransitionError is a StateError) may keep its parent's."""
    declared = {k for k in CLASSES if k.__module__ == errors.__name__}
    missing = sorted(k.__name__ for k in declared if "code" not in k.__dict__)
    assert not missing, missing
    codes = [kind.__dict__["code"] for kind in CLASSES if "code" in kind.__dict__]
    assert len(set(codes)) == len(codes), "two classes share a code"


def test_every_code_the_web_says_is_raised_somewhere_or_is_a_class_code() -> None:
    raised = {code for _, _, code, _ in CODED} | {k.code for k in CLASSES}
    assert set(MESSAGES) <= raised, sorted(set(MESSAGES) - raised)


def test_every_specific_code_has_words_on_the_pages() -> None:
    """A code given at a raise is one a person or an operator meets: the web must say it."""
    specific = {code for _, _, code, _ in CODED} - {k.code for k in CLASSES}
    assert specific <= set(MESSAGES), sorted(specific - set(MESSAGES))


@pytest.mark.parametrize(("module", "line", "code", "params"), CODED, ids=str)
def test_a_raise_gives_the_values_its_message_names(
    module: str, line: int, code: Code, params: set[str]
) -> None:
    named = set(re.findall(r"%\((\w+)\)s", MESSAGES.get(code, "")))
    assert named <= params, f"{module}:{line} raises {code} without {named - params}"


#: Raised in the service or the web but never reaching a page: caught where they are raised, or
#: a programming error. Anything else raised there must be a RightsdeskError (it has a code).
NOT_MET = {
    ("rightsdesk.service.verification.codes", "ValueError"),  # _seconds: caught by host_claims
    ("rightsdesk.service.requests.tickets", "ValueError"),  # a CSV line's: caught, reported
    ("rightsdesk.service.requests.subjects", "ValueError"),  # intake always has an identity
    ("rightsdesk.service.runtime.throttle", "ValueError"),  # a configured rate, checked at start
    ("rightsdesk.service.runtime.trends", "AssertionError"),
    ("rightsdesk.service.workflows.base", "NotImplementedError"),
}


def test_what_the_service_and_the_web_raise_has_a_code() -> None:
    uncoded = []
    for module in MODULES:
        if not module.__name__.startswith(("rightsdesk.service.", "rightsdesk.web.")):
            continue
        for node in ast.walk(ast.parse(inspect.getsource(module))):
            if not isinstance(node, ast.Raise) or not isinstance(node.exc, ast.Call):
                continue
            func = node.exc.func
            if isinstance(func, ast.Name):
                kind = getattr(module, func.id, None)
            elif isinstance(func, ast.Attribute):
                owner = getattr(module, getattr(func.value, "id", ""), None)
                kind = getattr(owner, func.attr, None)
            else:
                continue
            if isinstance(kind, type) and issubclass(kind, RightsdeskError):
                continue
            name = getattr(kind, "__name__", ast.unparse(func))
            if (module.__name__, name) not in NOT_MET:
                uncoded.append(f"{module.__name__}:{node.lineno} raises {name}")
    assert not uncoded, uncoded


@pytest.mark.parametrize("code", list(Code))
def test_every_code_is_documented(code: Code) -> None:
    assert f"`{code.value}`" in SERVICE_DOC


@pytest.mark.parametrize("message", [*MESSAGES.values(), INVALID])
def test_every_message_is_translated(message: str) -> None:
    assert ZH.gettext(message) != message


@pytest.mark.parametrize(
    ("error", "chinese"),
    [
        (
            errors.AuthenticationError("x", code=Code.WRONG_CODE, params={"left": 3}),
            "还可尝试 3 次",
        ),
        (errors.NotFoundError("x", code=Code.REQUEST_UNKNOWN, params={"id": "abc"}), "abc"),
        (
            errors.LockedOutError("x", code=Code.CODES_HELD_BACK, params={"until": "14:05"}),
            "14:05（UTC）之后",
        ),
        (errors.ConflictError("x", code=Code.SETTLE_FIRST, params={"what": "bills"}), "bills"),
        (
            errors.PermissionDeniedError("x", code=Code.SCOPE_MISSING, params={"scope": "decide"}),
            "缺少 decide 权限范围",
        ),
        (errors.PermissionDeniedError("x", code=Code.VAULT_ROLES), "只有法务和财务角色"),
    ],
)
def test_a_coded_error_reads_in_chinese(error: RightsdeskError, chinese: str) -> None:
    said = explain(ZH, error)
    assert said is not None and chinese in said, said


def test_a_state_error_reads_in_chinese_by_its_class_code() -> None:
    from rightsdesk.domain.requests import Event, Status, TransitionError

    said = explain(ZH, TransitionError(Status.COMPLETED, Event.CANCEL))
    assert said is not None and "请求当前所处阶段" in said


def test_an_error_without_words_is_shown_on_english_pages_only() -> None:
    brand_new = errors.PolicyError("a brand new refusal")
    assert explain(EN, brand_new) == "a brand new refusal"
    assert explain(ZH, brand_new) is None
    assert "code" in invalid(ZH, "code")


def test_the_english_text_no_longer_chooses_the_words() -> None:
    """The same English text under another code says that code's words, not the text's."""
    said = explain(EN, errors.AuthenticationError("invalid API key", code=Code.SIGN_IN))
    assert said == "Sign in with your API key."
    assert "rightsdesk.web.problems" in sys.modules

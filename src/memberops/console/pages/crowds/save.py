"""Keeping the crowd being built, for managers: name, description and (for a new crowd) dynamic
or snapshot, saved through ``create_crowd`` / ``update_crowd`` as the signed-in person. A rule
left half-typed is refused here (the crowd holds what the builder shows), a clash of names
reads as such in the viewer's language, and nothing is saved on any refusal."""

from collections.abc import Callable, Sequence

from nicegui import ui
from pydantic import ValidationError

from memberops.conditions.errors import InvalidCondition
from memberops.console.condition_tree import Built
from memberops.console.pages.loyalty.forms import Problems, entered, problems, section_title
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.crowds import service
from memberops.crowds.errors import CrowdNameTaken
from memberops.crowds.models import CrowdKind
from memberops.crowds.schemas import CrowdCreate, CrowdPatch, CrowdRead
from memberops.kernel.errors import DomainError
from memberops.tenancy.access import Permission

#: What the page lends the form: the tree as a condition, how many rules are not complete,
#: and how to show a refused condition on its rows (answering the lines to list here).
Source = Callable[[], Built]
Unfinished = Callable[[], int]
Marker = Callable[[Built, InvalidCondition], list[str]]


class SaveForm:
    """The card that saves the crowd (a note for roles that may only build and preview)."""

    def __init__(
        self,
        viewer: Viewer,
        crowd: CrowdRead | None,
        source: Source,
        unfinished: Unfinished,
        mark: Marker,
    ) -> None:
        self.viewer, self.crowd = viewer, crowd
        self.source, self.unfinished, self.mark = source, unfinished, mark

    def draw(self) -> None:
        t = self.viewer.t
        with ui.card().classes("crowd-save w-full shadow-sm gap-2"):
            section_title(t("crowds.save_title"))
            if not self.viewer.principal.can(Permission.crowds_manage):
                ui.label(t("crowds.read_only")).classes("text-sm text-slate-500")
                return
            crowd = self.crowd
            self.name = self._input("name", crowd.name if crowd else "")
            self.description = self._input("description", crowd.description if crowd else "")
            self._kind()
            ui.button(t("crowds.save"), icon="save", on_click=self._save).props(
                "unelevated no-caps color=primary"
            )
            self.problems = Problems()

    def _input(self, name: str, value: str) -> ui.input:
        box = ui.input(self.viewer.t(f"crowds.form.{name}"), value=value)
        return box.props("dense outlined").classes("w-full")

    def _kind(self) -> None:
        """A new crowd's kind is chosen here; a saved one's is shown (it cannot change)."""
        t = self.viewer.t
        if self.crowd is not None:
            kind = self.crowd.kind.value
            ui.label(f"{t('crowds.form.kind')}: {t(f'crowds.kind.{kind}')}").classes("text-sm")
            ui.label(t(f"crowds.kind_hint.{kind}")).classes("text-xs text-slate-500")
            return
        kinds = {kind.value: t(f"crowds.kind.{kind.value}") for kind in CrowdKind}
        self.kind = ui.radio(kinds, value=CrowdKind.dynamic.value).props("inline dense")
        hint = ui.label().classes("text-xs text-slate-500")
        hint.bind_text_from(self.kind, "value", lambda kind: t(f"crowds.kind_hint.{kind}"))

    def _where(self, loc: Sequence[str | int]) -> str:
        name = str(loc[0]) if loc else ""
        known = name in ("name", "description")
        return self.viewer.t(f"crowds.form.{name}") if known else ".".join(map(str, loc))

    def _save(self) -> None:
        t = self.viewer.t
        built, unfinished = self.source(), self.unfinished()
        if unfinished:
            self.problems.show([t("crowds.unfinished", count=unfinished)])
            return
        if built.document is None:
            self.problems.show([t("crowds.no_condition")])
            return
        try:
            name = self._store(built.document)
        except CrowdNameTaken as error:
            self.problems.show([t("crowds.name_taken", name=error.fields["name"])])
        except InvalidCondition as error:
            self.problems.show(self.mark(built, error))
        except (ValidationError, DomainError) as error:
            self.problems.show(problems(error, self._where))
        else:
            ui.notify(t("crowds.saved_as", name=name), type="positive")
            ui.navigate.to("/crowds")

    def _store(self, condition: dict[str, object]) -> str:
        """Save the crowd; its name as saved."""
        name, description = entered(self.name) or "", entered(self.description) or ""
        principal = self.viewer.principal
        if self.crowd is None:
            body = CrowdCreate.model_validate(
                {
                    "name": name,
                    "description": description,
                    "kind": self.kind.value,
                    "condition": condition,
                }
            )
            with transaction() as session:
                return service.create_crowd(session, principal, body).name
        patch = CrowdPatch(name=name, description=description, condition=condition)
        with transaction() as session:
            return service.update_crowd(session, principal, int(self.crowd.id), patch).name

"""The crowd builder page's body: the condition tree, its live size and sample, and the form
that keeps it. The tree is turned into the condition language after each edit (rules not
complete yet left out) and previewed through ``crowds.service.preview`` as the signed-in
person; a condition the room refuses is shown on the row it names and beside the builder."""

from nicegui import ui
from pydantic import ValidationError
from sqlalchemy.orm import Session

from memberops.conditions.errors import InvalidCondition
from memberops.console.condition_tree import Built, Group, build, choice_labels, incomplete
from memberops.console.pages.crowds.builder import Choices, TreeEditor
from memberops.console.pages.crowds.preview import SAMPLE, LivePreview
from memberops.console.pages.crowds.save import SaveForm
from memberops.console.pages.loyalty.forms import problems, section_title
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.crowds import service
from memberops.crowds.schemas import CrowdPreviewRequest, CrowdRead
from memberops.kernel.errors import DomainError
from memberops.loyalty.tiers import service as tiers

#: The last part of a problem's location, as the viewer reads it (``crowds.<part>``).
PARTS = {"field": "crowds.field", "op": "crowds.op", "value": "crowds.value"}


def load_choices(session: Session, viewer: Viewer) -> Choices:
    """The fields the builder offers, with the tenant's tier names for its ladder's codes."""
    principal = viewer.principal
    fields = service.fields(session, principal)
    ladder = {level.code: level.name for level in tiers.ladder(session, principal.tenant_id).levels}
    values = {known.name: choice_labels(viewer, known, ladder) for known in fields if known.choices}
    return Choices(viewer, fields, values)


class CrowdEditor:
    """One crowd being built: new (``crowd`` None) or a saved one being changed."""

    def __init__(
        self, viewer: Viewer, choices: Choices, crowd: CrowdRead | None, root: Group
    ) -> None:
        self.viewer, self.choices, self.crowd, self.root = viewer, choices, crowd, root
        self.preview = LivePreview(viewer)
        self.tree = TreeEditor(choices, root, self.changed)

    def show(self) -> None:
        with ui.grid(columns="minmax(0, 1fr) 18rem").classes("gap-4 w-full items-start"):
            with ui.card().classes("crowd-builder w-full shadow-sm gap-3"):
                section_title(self.viewer.t("crowds.condition"))
                self.tree.show()
            with ui.column().classes("w-full gap-4"):
                self.preview.draw_size()
                form = SaveForm(self.viewer, self.crowd, self.built, self.unfinished, self.mark)
                form.draw()
        self.preview.draw_sample()
        self.changed()

    def built(self) -> Built:
        return build(self.root, self.choices.fields, self.viewer.principal.timezone)

    def unfinished(self) -> int:
        return incomplete(self.root, self.choices.fields, self.viewer.principal.timezone)

    def changed(self) -> None:
        self.preview.later(self._preview)

    def _preview(self) -> None:
        built = self.built()
        self.tree.clear_marks()
        if built.document is None:
            self.preview.waiting()
            return
        try:
            body = CrowdPreviewRequest(condition=built.document, sample=SAMPLE)
            with transaction() as session:
                found = service.preview(session, self.viewer.principal, body)
        except InvalidCondition as error:
            self.preview.refused(self.mark(built, error))
        except (ValidationError, DomainError) as error:
            self.preview.refused(problems(error))
        else:
            self.preview.counted(found)

    def mark(self, built: Built, error: InvalidCondition) -> list[str]:
        """Show each problem on the row or group it names; the messages, to list as well."""
        lines = []
        for problem in error.fields.get("errors") or []:
            loc, message = problem["loc"], str(problem["msg"])
            part = PARTS.get(str(loc[-1])) if loc else None
            line = f"{self.viewer.t(part)}: {message}" if part else message
            self.tree.mark(built.node_at(loc), line)
            lines.append(line)
        return lines or [error.detail]

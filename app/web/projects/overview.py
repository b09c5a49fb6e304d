"""A project's own page: the plan as agreed (and as changed since), and the sections of each job."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required

from app import access
from app.models.proposals import BUDGET_SOURCES
from app.proposals.drafts import SOURCE_LABELS
from app.projects import inspections, plan_changes
from app.web.loaders import project as load_project
from app.web.projects import bp


@bp.route("/<int:project_id>")
@login_required
def show(project_id: int):
    project = load_project(project_id)
    return render_template(
        "projects/project.html", project=project, sources=BUDGET_SOURCES, source_labels=SOURCE_LABELS,
        is_officer=access.is_project_officer(current_user, project),
        can_report=access.can_report_for(current_user, project),
        changes=plan_changes.of_project(project), change_labels=plan_changes,
        inspections=inspections.of_project(project), inspection_today=inspections.today(),
    )

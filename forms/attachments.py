"""Forms for uploading and deleting a proposal's attachments."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField
from wtforms.validators import DataRequired, ValidationError


class UploadForm(FlaskForm):
    # Choices are the call's attachment kinds plus "other", set by the view.
    kind = SelectField(_l("서류 종류"), validators=[DataRequired(_l("서류 종류를 선택하십시오."))],
                       validate_choice=False)
    file = FileField(_l("파일"), validators=[FileRequired(_l("올릴 파일을 선택하십시오."))])

    def __init__(self, *args, kinds: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = kinds

    def validate_kind(self, field):
        if field.data not in {key for key, _label in field.choices}:
            raise ValidationError(_l("목록에 있는 서류 종류를 선택하십시오."))


class DeleteForm(FlaskForm):
    """No fields: the CSRF token is the point."""

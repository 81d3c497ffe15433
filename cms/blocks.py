"""The blocks of a notice's body (NoticePage.body): each has its own template, icon and help text
and checks its value in ``clean()``, so an editor learns what to fix before publishing.

``plain_text(stream)`` gives the words a StreamField shows, for search documents and page
descriptions.
"""

from __future__ import annotations

import re
import zipfile
from html import unescape

from django.core.exceptions import ValidationError
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

# Rich text in a notice: paragraphs, emphasis, lists and links; headings have their own block.
RICH_TEXT_FEATURES = ["bold", "italic", "ol", "ul", "link", "document-link"]

# The file kinds an attachment may be, recognized by what the file contains (not its name).
ATTACHMENT_KINDS = {"pdf": "PDF", "docx": "Word (DOCX)", "xlsx": "Excel (XLSX)"}


def _field_error(field: str, message) -> StructBlockValidationError:
    return StructBlockValidationError(block_errors={field: ValidationError(message)})


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(
        label=_("heading"), max_length=120, help_text=_("A short heading, e.g. 一、总体要求")
    )
    level = blocks.ChoiceBlock(
        label=_("level"),
        choices=[("h2", _("Section heading")), ("h3", _("Sub-heading"))],
        default="h2",
        help_text=_("Sections use the section heading; parts of a section use the sub-heading."),
    )

    class Meta:
        icon = "title"
        template = "cms/blocks/heading.html"
        label = _("Heading")
        help_text = _("Divides a long notice into sections readers can find.")

    def clean(self, value):
        value = super().clean(value)
        if not value["text"].strip():
            raise _field_error("text", _("Write the heading's words, or remove the heading."))
        return value


class NoticeRichTextBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        super().__init__(features=RICH_TEXT_FEATURES, **kwargs)

    class Meta:
        icon = "pilcrow"
        template = "cms/blocks/rich_text.html"
        label = _("Text")
        help_text = _("Paragraphs of the notice. Use a heading block for headings.")

    def clean(self, value):
        value = super().clean(value)
        if not strip_tags(value.source).strip():
            raise ValidationError(_("This paragraph is empty: write its text or remove the block."))
        return value


class NoticeTableBlock(TableBlock):
    class Meta:
        icon = "table"
        template = "cms/blocks/table.html"
        label = _("Table")
        help_text = _("A table of figures or rules. Give it a caption that says what it shows.")

    def clean(self, value):
        value = super().clean(value)
        if value:
            cells = [cell for row in value.get("data") or [] for cell in row if cell and str(cell).strip()]
            if not cells:
                raise ValidationError(_("This table is empty: fill in its cells or remove it."))
            if not (value.get("table_caption") or "").strip():
                raise ValidationError(_("Give the table a caption that says what it shows."))
        return value


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    alt = blocks.CharBlock(
        label=_("alternative text"),
        max_length=200,
        help_text=_("What the image shows, for readers who cannot see it (required)."),
    )
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=200)

    class Meta:
        icon = "image"
        template = "cms/blocks/image.html"
        label = _("Image")
        help_text = _("A photo or chart with its alternative text.")

    def clean(self, value):
        value = super().clean(value)
        alt = (value.get("alt") or "").strip()
        image = value.get("image")
        filename = getattr(getattr(image, "file", None), "name", "") or ""
        if not alt:
            raise _field_error("alt", _("Describe what the image shows: readers who cannot see it need it."))
        if filename and alt.lower() == filename.rsplit("/", 1)[-1].lower():
            raise _field_error("alt", _("The file name is not a description: say what the image shows."))
        return value


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        label=_("kind"),
        choices=[("info", _("Good to know")), ("important", _("Important"))],
        default="info",
    )
    title = blocks.CharBlock(label=_("title"), max_length=80, required=False)
    text = blocks.TextBlock(label=_("text"), help_text=_("One or two sentences."))

    class Meta:
        icon = "warning"
        template = "cms/blocks/callout.html"
        label = _("Call-out")
        help_text = _("A box that stands out: a deadline, where to apply, whom to call.")

    def clean(self, value):
        value = super().clean(value)
        if not value["text"].strip():
            raise _field_error("text", _("Write the call-out's text."))
        if len(value["text"]) > 500:
            raise _field_error(
                "text", _("A call-out is short (500 characters at most): move the rest to a paragraph.")
            )
        return value


def attachment_kind(file) -> str | None:
    """``"pdf"``, ``"docx"`` or ``"xlsx"`` from the file's content, or None for anything else.

    A PDF starts with ``%PDF-``; a DOCX or XLSX is a ZIP (Office Open XML) whose
    ``[Content_Types].xml`` is present with ``word/document.xml`` or ``xl/workbook.xml``.
    """
    file.open("rb")
    try:
        file.seek(0)
        head = file.read(8)
        if head.startswith(b"%PDF-"):
            return "pdf"
        if not head.startswith(b"PK\x03\x04"):
            return None
        file.seek(0)
        try:
            with zipfile.ZipFile(file) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        return None
    finally:
        file.seek(0)
        file.close()


class AttachmentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    title = blocks.CharBlock(
        label=_("link text"),
        max_length=120,
        required=False,
        help_text=_("What readers click, e.g. 附件1：申请表. Empty: the document's title."),
    )

    class Meta:
        icon = "doc-full"
        template = "cms/blocks/attachment.html"
        label = _("Attachment")
        help_text = _("A PDF, Word (DOCX) or Excel (XLSX) file readers can download.")

    def clean(self, value):
        value = super().clean(value)
        document = value.get("document")
        if document is None:
            return value
        try:
            kind = attachment_kind(document.file)
        except (FileNotFoundError, OSError):
            raise _field_error(
                "document", _("The document's file cannot be read: upload it again.")
            ) from None
        if kind is None:
            raise _field_error(
                "document",
                _("Attachments must be PDF, Word (DOCX) or Excel (XLSX) files; this file is none of them."),
            )
        extension = document.file.name.rsplit(".", 1)[-1].lower()
        if extension != kind:
            raise _field_error(
                "document",
                _(
                    "The file's name ends in .%(extension)s but it is a %(kind)s file: "
                    "rename it and upload it again."
                )
                % {"extension": extension, "kind": ATTACHMENT_KINDS[kind]},
            )
        return value


class NoticeBodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = NoticeRichTextBlock()
    table = NoticeTableBlock()
    image = ImageBlock()
    callout = CalloutBlock()
    attachment = AttachmentBlock()


def _words(html_or_text: str) -> str:
    return re.sub(r"\s+", " ", unescape(strip_tags(html_or_text))).strip()


def plain_text(stream) -> str:
    """The words the blocks of ``stream`` show, one block per line (tags removed)."""
    lines: list[str] = []
    for child in stream or []:
        value = child.value
        kind = child.block_type
        if kind == "heading":
            lines.append(value["text"])
        elif kind == "paragraph":
            lines.append(_words(value.source))
        elif kind == "table":
            caption = value.get("table_caption") or ""
            cells = [str(cell) for row in value.get("data") or [] for cell in row if cell]
            lines.append(" ".join([caption, *cells]).strip())
        elif kind == "image":
            lines.append(" ".join(part for part in (value.get("alt"), value.get("caption")) if part))
        elif kind == "callout":
            lines.append(" ".join(part for part in (value.get("title"), value.get("text")) if part))
        elif kind == "attachment":
            document = value.get("document")
            lines.append(value.get("title") or (document.title if document else ""))
    return "\n".join(line for line in lines if line)

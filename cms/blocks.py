"""StreamField blocks that editors use on the vendor and course pages."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=200)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "cms/blocks/image.html"


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    note = blocks.CharBlock(label=_("note"), required=False, max_length=200)

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "cms/blocks/document.html"


class LessonBlock(blocks.StructBlock):
    """The plan and materials of one numbered session of a course (教案)."""

    session = blocks.IntegerBlock(label=_("session number"), min_value=1, max_value=200)
    title = blocks.CharBlock(label=_("title"), max_length=120)
    body = blocks.RichTextBlock(label=_("lesson plan"), required=False)
    documents = blocks.ListBlock(DocumentChooserBlock(label=_("document")), label=_("materials"), default=[])
    images = blocks.ListBlock(ImageChooserBlock(label=_("image")), label=_("images"), default=[])

    class Meta:
        icon = "list-ol"
        label = _("Lesson")
        template = "cms/blocks/lesson.html"


def vendor_body_blocks():
    return [
        ("text", blocks.RichTextBlock(label=_("Text"))),
        ("image", CaptionedImageBlock()),
    ]


def course_body_blocks():
    return [
        ("text", blocks.RichTextBlock(label=_("Text"))),
        ("document", DocumentBlock()),
        ("image", CaptionedImageBlock()),
        ("lesson", LessonBlock()),
    ]

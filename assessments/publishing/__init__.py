"""Publishing: the frozen public record of an assessment, and how it is made.

`snapshot` builds what becomes public from the assessment (a pure function: the
confirmation page shows it, the `publish` transition writes it); `records` writes and
withdraws publications and corrects them. See docs/decisions/0020-publishing.md.
"""

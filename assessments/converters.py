"""Path converters for the addresses in assessments/urls.py."""


class CouncilCodeConverter:
    """A council's code in an address: `/councils/cov/`.

    Addresses use lower case; the code is stored in upper case. Reversing takes a
    `Council` or a code in any case, so `{% url "assessments:council_detail" council %}`
    and `{% url "assessments:council_detail" council.code %}` give the same address.

    Only letters, digits and hyphens match, so an odd code (a NUL character, say,
    which PostgreSQL refuses) is a 404 before any view runs. Views get the code as
    stored, in upper case, whatever the case typed; the council's page redirects
    addresses in other cases to the lower-case one.
    """

    regex = "[A-Za-z0-9-]{1,10}"

    def to_python(self, value):
        return value.upper()

    def to_url(self, value):
        code = getattr(value, "code", value)
        if not isinstance(code, str):
            raise ValueError("A council code is a string.")
        return code.lower()

"""The guard against overwriting someone else's work.

A row people edit through a form (a point's answer, a service) has a `revision`
number that goes up by one on every save. The form carries the revision it was
opened at; the workflow function locks the row and refuses the save if the number
has moved since, raising EditConflict with the row as it is now.
"""


class EditConflict(Exception):
    """Someone else saved this after the person opened it. Carries their version."""

    def __init__(self, current):
        super().__init__(f"The {current._meta.verbose_name} was changed by someone else.")
        self.current = current

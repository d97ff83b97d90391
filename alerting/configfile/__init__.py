"""The whole configuration as one document (YAML or JSON), for version control.

``export.build_document()`` writes it; ``apply.apply_document()`` makes the
database match it. Objects carry their UUIDs, and references between objects
use them (a hand-written file may use natural keys instead: an operator's
e-mail, a monitor's key, a group's, integration's or definition's name).
Applying adopts the file's ids: an object found by its natural key (a system
group by its flag, a built-in integration by its kind) is re-keyed to the
file's id, so exporting again gives the same document.
"""

DOCUMENT_VERSION = 1

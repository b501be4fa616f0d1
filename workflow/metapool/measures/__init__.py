"""Effect measures: from each kind of study data to (yi, vi), and back to the scale people read
(metafor escalc)."""

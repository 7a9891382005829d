"""Link discovery and reconciliation: candidate matches between organisations of different
graphs (:mod:`.match`), the reviewed and identifier-proven links in ``graph/links``
(:mod:`.links`), and the W3C reconciliation service logic (:mod:`.reconcile`)."""

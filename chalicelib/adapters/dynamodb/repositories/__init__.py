"""One repository per aggregate, each reading at once and staging its writes in the unit
of work it belongs to."""

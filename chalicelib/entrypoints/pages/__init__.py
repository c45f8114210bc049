"""Server-rendered pages for people: customers' offer, booking and waiting-list pages, and
the staff board."""

"""The refill of seats held for the waiting list (`held_seats`), the plan of who can take a
freed seat (`planning`), the booking a seat from the list makes (`seat_booking`), and an
earlier-slot request met (`moves`). Shared by offers and bookings, so this package's
`__init__` imports nothing."""

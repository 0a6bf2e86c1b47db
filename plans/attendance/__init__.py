"""Who came to the hub's sessions: registers, bookings, and attendance as plan activity."""

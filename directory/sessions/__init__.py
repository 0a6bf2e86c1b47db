"""The hub's own timetable: drop-ins, groups and courses, each also a directory listing."""

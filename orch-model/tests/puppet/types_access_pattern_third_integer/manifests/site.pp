$x = Pattern[/a/, 'b', 1]
site { }

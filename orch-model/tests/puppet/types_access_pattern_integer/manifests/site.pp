$x = Pattern[1]
site { }

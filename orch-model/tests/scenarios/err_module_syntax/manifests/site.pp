site { m { "x": nodes => {} } }

validate_string('a', ['b'])
site { }

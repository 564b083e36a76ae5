validate_absolute_path(['/ok', 'C:/ok', 'relative/path'])
site { }

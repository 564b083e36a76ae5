warning(String(versioncmp('1', 2)))
site { }

warning(String(versioncmp('1.2', '1.10')))
site { }

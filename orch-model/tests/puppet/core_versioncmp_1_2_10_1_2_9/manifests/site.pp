warning(String(versioncmp('1.2.10', '1.2.9')))
site { }

warning(String(defined('nosuch_thing')))
site { }

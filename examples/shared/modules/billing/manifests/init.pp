# Billing consumes a database produced by another application: the capability is passed in as
# a parameter (a `Type[Sql]` reference), so the application does not hard-code who provides it.
application billing (
  Type[Sql] $db,
) {
  billing::api { $name:
    consume => $db,
  }
  billing::worker { $name:
    require => $db,
  }
}

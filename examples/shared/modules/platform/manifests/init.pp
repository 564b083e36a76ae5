# The platform: owns the database every other application uses.
application platform {
  platform::database { $name:
    export => Sql[$name],
  }
}

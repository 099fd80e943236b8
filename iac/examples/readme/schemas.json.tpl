[
  {
    "partition_key": "generic",
    "entity": [
      {
        "id": "test",
        "name": "check-sys",
        "description": "Prints a short health summary of the worker host",
        "runbook": "check_sys.sh",
        "worker": "Runbook",
        "oncall": "false"
      },
      {
        "id": "test-2",
        "name": "python-sample",
        "description": "Python sample runbook with arguments",
        "runbook": "test.py",
        "run_args": "-n 1000 --repeats 100",
        "worker": "Runbook",
        "oncall": "false"
      },
      {
        "id": "test-3",
        "name": "always-fails",
        "description": "Fails with exit code 3, to see how failures look",
        "runbook": "fail.sh",
        "worker": "Runbook",
        "oncall": true
      }
    ]
  }
]

app_name = "scheduler_integration"
app_title = "Scheduler Integration"
app_publisher = "scheduler_integration contributors"
app_description = "Native meeting scheduling for Frappe, ERPNext and Frappe CRM"
app_email = "maintainers@scheduler-integration.invalid"
app_license = "mit"

# Generated `DF` type blocks in DocType controllers (bench keeps them current on save).
export_python_type_annotations = True

after_install = "scheduler_integration.install.after_install"

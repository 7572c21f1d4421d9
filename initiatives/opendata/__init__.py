"""The public register as open data (/register/data/): every published initiative as CSV,
XLSX and JSON, with a CSV on the Web (CSVW) description, under the Open Government Licence.

`selectors` reads the rows (published initiatives only, in chunks, a fixed number of queries
whatever their number) and the state that dates them; `dataset` declares each column once
(name, type, meaning, how its cell is read) for the CSV, the workbook, the CSVW metadata and
the page that explains them; `views` answers the downloads, conditionally."""

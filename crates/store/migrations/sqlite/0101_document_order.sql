-- Document lists are ordered newest first by COALESCE(published_on, written_on), id; these
-- indexes serve the public list, the staff list and a catalog item's list without a sort.
CREATE INDEX public_documents_list ON public_documents(body_id, (COALESCE(published_on, written_on)), id);
CREATE INDEX public_documents_list_published ON public_documents(body_id, published, (COALESCE(published_on, written_on)), id);
CREATE INDEX public_documents_list_item ON public_documents(body_id, catalog_item_id, published, (COALESCE(published_on, written_on)), id);

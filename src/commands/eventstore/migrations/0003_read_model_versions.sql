-- Each read model's tracking row records the version of the read model its tables were built
-- for; the runner rebuilds a read model beside the live one when its declared version differs.
-- Every read model of earlier releases was at version 1.
ALTER TABLE public.projection_tracking ADD COLUMN version integer NOT NULL DEFAULT 1;

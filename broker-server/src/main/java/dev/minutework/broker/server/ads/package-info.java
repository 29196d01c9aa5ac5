/** AdsCampaignProjection and AdsObjectProjection: tenant-scoped read models of provider objects. */
package dev.minutework.broker.server.ads;
